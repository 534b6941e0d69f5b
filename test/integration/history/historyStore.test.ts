import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { exportRange, HistoryError, historyFileBytes, HistoryStore, type RecordedVersion, type ShadowRef } from '../../../electron/core/history'

// The history store on a real SQLite file: order, duplicates, time ranges, pruning to the user's
// limits, and exports checked by a CSV reader nobody here wrote (Python's csv module).

let dir: string
let file: string
let store: HistoryStore
const lamp: ShadowRef = { connection: 'local', thingName: 'lamp-1' }
const dimmer: ShadowRef = { connection: 'local', thingName: 'lamp-1', shadowName: 'dimmer' }
const t0 = Date.UTC(2025, 0, 1)

function versionOf(shadow: ShadowRef, version: number, reported: Record<string, unknown> = { level: version }, extra: Partial<RecordedVersion> = {}): RecordedVersion {
  return { ...shadow, version, time: t0 + version * 1000, document: { state: { reported: reported as never }, metadata: {} }, source: 'documents', ...extra }
}
const versionsOf = (shadow: ShadowRef, query: Partial<Parameters<HistoryStore['versions']>[0]> = {}) =>
  store.versions({ ...shadow, maxResults: 1000, withDocuments: false, ...query }).versions.map((v) => v.version)

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tb-history-'))
  file = join(dir, 'history.sqlite')
  store = HistoryStore.open(file, { now: () => t0 + 1_000_000 })
})
afterEach(async () => {
  store.close()
  await rm(dir, { recursive: true, force: true })
})

describe('the history store', () => {
  it('lists versions in version order whatever order they came in, per shadow, paged, within a time range', () => {
    for (const v of [3, 1, 5, 2, 4]) store.record(versionOf(lamp, v))
    store.record(versionOf(dimmer, 1))
    expect(versionsOf(lamp)).toEqual([1, 2, 3, 4, 5])
    expect(versionsOf(dimmer)).toEqual([1])
    expect(versionsOf({ ...lamp, connection: 'profile:prod|eu-west-1' })).toEqual([])

    const first = store.versions({ ...lamp, maxResults: 2, withDocuments: true })
    expect(first.versions.map((v) => v.version)).toEqual([1, 2])
    expect(first.versions[0]).toMatchObject({ thingName: 'lamp-1', version: 1, time: t0 + 1000, source: 'documents', document: { state: { reported: { level: 1 } } } })
    const second = store.versions({ ...lamp, maxResults: 2, withDocuments: false, nextToken: first.nextToken! })
    expect(second.versions.map((v) => v.version)).toEqual([3, 4])
    expect(second.versions[0]!.document).toBeUndefined()
    const last = store.versions({ ...lamp, maxResults: 2, withDocuments: false, nextToken: second.nextToken! })
    expect(last.versions.map((v) => v.version)).toEqual([5])
    expect(last.nextToken).toBeUndefined()

    expect(versionsOf(lamp, { from: t0 + 2000, to: t0 + 4000 })).toEqual([2, 3, 4])
    expect(versionsOf(lamp, { from: t0 + 4500 })).toEqual([5])
    expect(() => store.versions({ ...lamp, maxResults: 2, withDocuments: false, nextToken: 'not-a-token' })).toThrow(/nextToken is not one history.versions gave/)
  })

  it('keeps a version once: a duplicate is ignored, and a documents message improves a version first seen as another one\'s previous', () => {
    store.record(versionOf(lamp, 1, { level: 1 }, { source: 'previous' }))
    store.record(versionOf(lamp, 2, { level: 2 }, { clientToken: 'ui-2', previousVersion: 1 }))
    store.record(versionOf(lamp, 2, { level: 2 }, { clientToken: 'someone-else' }))
    store.record(versionOf(lamp, 1, { level: 1 }, { clientToken: 'ui-1', time: t0 + 1500 }))
    const versions = store.versions({ ...lamp, maxResults: 10, withDocuments: false }).versions
    expect(versions).toEqual([
      { thingName: 'lamp-1', version: 1, time: t0 + 1500, clientToken: 'ui-1', source: 'documents' },
      { thingName: 'lamp-1', version: 2, time: t0 + 2000, clientToken: 'ui-2', source: 'documents', previousVersion: 1 }
    ])
  })

  it('gives one version with its document, or says which versions it holds', () => {
    store.record(versionOf(dimmer, 7, { level: 7 }))
    store.record(versionOf(dimmer, 9, { level: 9 }))
    expect(store.version(dimmer, 9)).toMatchObject({ shadowName: 'dimmer', version: 9, document: { state: { reported: { level: 9 } }, metadata: {} } })
    const missing = (() => {
      try {
        store.version(dimmer, 8)
      } catch (error) {
        return error as HistoryError
      }
    })()
    expect(missing?.errorName).toBe('ResourceNotFoundException')
    expect(missing?.message).toBe('Version 8 of the shadow "dimmer" of lamp-1 is not in the history: it holds versions 7–9 (some may be missing)')
  })

  it('prunes by age, and by count per shadow, oldest first, and remembers the limits across a reopen', () => {
    const now = t0 + 1_000_000
    for (let v = 1; v <= 5; v++) store.record(versionOf(lamp, v, { level: v }, { time: now - 40 * 86_400_000 + v }))
    for (let v = 6; v <= 30; v++) store.record(versionOf(lamp, v, { level: v }, { time: now - 1000 + v }))
    store.flush()
    expect(store.pruneAll()).toBe(5)
    expect(versionsOf(lamp)[0]).toBe(6)

    expect(store.setSettings({ maxVersionsPerShadow: 10 })).toEqual({ keepDays: 30, maxMegabytes: 512, maxVersionsPerShadow: 10 })
    expect(versionsOf(lamp)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30])
    store.setSettings({ keepDays: 2 })
    store.close()
    store = HistoryStore.open(file, { now: () => now })
    expect(store.settings()).toEqual({ keepDays: 2, maxMegabytes: 512, maxVersionsPerShadow: 10 })
    expect(() => store.setSettings({ keepDays: 0 })).toThrow(/keepDays is at least 1/)
    expect(store.settings().keepDays).toBe(2)
  })

  it('prunes by size: the oldest versions go until the data fits, and the file shrinks', () => {
    const padding = 'x'.repeat(1000)
    for (let v = 1; v <= 4000; v++) store.record(versionOf(v % 2 ? lamp : dimmer, v, { level: v, padding }))
    const before = store.stats()
    expect(before.usedBytes).toBeGreaterThan(3 * 1024 * 1024)
    store.setSettings({ maxMegabytes: 1 })
    const after = store.stats()
    expect(after.usedBytes).toBeLessThanOrEqual(1024 * 1024)
    expect(after.versions).toBeGreaterThan(300)
    // What is left is the newest of both shadows.
    expect(versionsOf(lamp).at(-1)).toBe(3999)
    expect(versionsOf(dimmer).at(-1)).toBe(4000)
    expect(Math.min(versionsOf(lamp)[0]!, versionsOf(dimmer)[0]!)).toBe(4001 - after.versions)
    store.close()
    expect(historyFileBytes(file)).toBeLessThan(1.5 * 1024 * 1024)
    store = HistoryStore.open(file)
  })
})

describe('exports', () => {
  /** The file read by Python's csv module (RFC 4180 dialect "excel"), as rows of strings. */
  const readCsv = (path: string): string[][] =>
    JSON.parse(execFileSync('python3', ['-c', 'import csv,json,sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline="")))))', path], { encoding: 'utf8' })) as string[][]

  it('CSV: time, version, clientToken and a column per leaf of desired then reported; commas, quotes and newlines survive', async () => {
    store.record({ ...versionOf(lamp, 1), document: { state: { desired: { label: 'a, "b"\nc', color: { r: 1 } } }, metadata: {} }, clientToken: 'ui,1' })
    store.record({ ...versionOf(lamp, 2), document: { state: { desired: { label: 'plain', 'a.b': true }, reported: { steps: [1, 2], on: false } }, metadata: {} } })
    store.record(versionOf(lamp, 3, { on: true }))
    const path = join(dir, 'out', 'lamp.csv')
    expect(await exportRange(store, lamp, { to: t0 + 2000 }, 'csv', path)).toEqual({ rows: 2 })
    const text = await readFile(path, 'utf8')
    expect(text.split('\r\n')[0]).toBe('time,version,clientToken,desired.color.r,desired.label,"desired[""a.b""]",reported.on,reported.steps')
    expect(readCsv(path)).toEqual([
      ['time', 'version', 'clientToken', 'desired.color.r', 'desired.label', 'desired["a.b"]', 'reported.on', 'reported.steps'],
      [new Date(t0 + 1000).toISOString(), '1', 'ui,1', '1', 'a, "b"\nc', '', '', ''],
      [new Date(t0 + 2000).toISOString(), '2', '', '', 'plain', 'true', 'false', '[1,2]']
    ])
    await expect(exportRange(store, lamp, {}, 'csv', path)).rejects.toThrow(/EEXIST/)
  })

  it('CSV in one pass: a leaf first seen late in a long range still has its column in every row, and a leaf that becomes an object shows as JSON', async () => {
    // Past the store's 2,000-row pages, so the rows written before the new leaf span several pages.
    for (let v = 1; v <= 4500; v++) store.record(versionOf(lamp, v, { level: v, mode: v % 2 ? 'eco' : { fan: v }, ...(v > 4000 ? { firmware: `1.${v}` } : {}) }))
    const path = join(dir, 'long.csv')
    expect(await exportRange(store, lamp, {}, 'csv', path)).toEqual({ rows: 4500 })
    const rows = readCsv(path)
    expect(rows[0]).toEqual(['time', 'version', 'clientToken', 'reported.firmware', 'reported.level', 'reported.mode', 'reported.mode.fan'])
    expect(rows).toHaveLength(4501)
    expect(rows.slice(1).map((row) => Number(row[1]))).toEqual(Array.from({ length: 4500 }, (_, i) => i + 1))
    expect(rows[1]).toEqual([new Date(t0 + 1000).toISOString(), '1', '', '', '1', 'eco', ''])
    expect(rows[2]).toEqual([new Date(t0 + 2000).toISOString(), '2', '', '', '2', '{"fan":2}', '2'])
    expect(rows[4001]!.slice(3)).toEqual(['1.4001', '4001', 'eco', ''])
    expect(rows.every((row) => row.length === 7)).toBe(true)
  })

  it('JSON lines: one version per line, in version order, the document as kept', async () => {
    for (const v of [2, 1, 3]) store.record(versionOf(lamp, v, { level: v, note: `line\n${v}` }, { clientToken: `t${v}` }))
    const path = join(dir, 'lamp.jsonl')
    expect(await exportRange(store, lamp, {}, 'jsonl', path)).toEqual({ rows: 3 })
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines.map((l) => l.version)).toEqual([1, 2, 3])
    expect(lines[1]).toEqual({ time: new Date(t0 + 2000).toISOString(), version: 2, clientToken: 't2', source: 'documents', state: { reported: { level: 2, note: 'line\n2' } }, metadata: {} })
  })
})
