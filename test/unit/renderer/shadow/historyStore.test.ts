// @vitest-environment happy-dom
import { readFile } from 'node:fs/promises'
import { UpdateThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { describeError } from '../../../../renderer/src/components/describeError'
import { timelinePageSize, useHistoryStore } from '../../../../renderer/src/stores/useHistoryStore'
import { useShadowStore } from '../../../../renderer/src/stores/useShadowStore'
import { HistorySeries, numericLeafPaths, seriesColumns, SyncLatencyTracker, syncLatencies } from '../../../../renderer/src/stores/support/shadowHistoryFigures'
import type { TestApi } from '../../../support/apiBackend'
import { startProvisionedApi } from './provisionedApi'
import { until } from '../../../support/until'
import { freshPinia } from '../registry/registryApp'

// The history panel's store against the real back end (its SQLite history, recorded by the
// inspector's watch) and the Local IoT Core, a fresh Pinia per test.
let t: TestApi
let dataPlane: IoTDataPlaneClient

beforeAll(async () => {
  const world = await startProvisionedApi(['thermostat-1', 'sensor-1', 'range-1', 'busy-1'])
  t = world.t
  dataPlane = world.dataPlane
}, 120_000)
afterAll(async () => {
  await t?.close()
})
beforeEach(() => {
  freshPinia(t.api)
})

const updateFromOutside = (thingName: string, state: object, clientToken?: string) =>
  dataPlane.send(new UpdateThingShadowCommand({ thingName, payload: new TextEncoder().encode(JSON.stringify({ state, ...(clientToken ? { clientToken } : {}) })) }))

/** Opens the inspector's watch and the history on it, as the History tab does. */
async function openBoth(thingName: string) {
  const shadow = useShadowStore()
  const history = useHistoryStore()
  await shadow.open({ thingName })
  await history.open({ thingName })
  return { shadow, history }
}

describe('the history store', () => {
  it('lists the versions the watch recorded and shows new ones live, with who changed them', async () => {
    await updateFromOutside('thermostat-1', { reported: { temperature: 19 } })
    const { shadow, history } = await openBoth('thermostat-1')
    expect(history.versions.map((v) => v.version)).toEqual([shadow.version])

    await updateFromOutside('thermostat-1', { desired: { temperature: 22 } }, 'cloud-app')
    await updateFromOutside('thermostat-1', { reported: { temperature: 22 } }, 'device-fw')
    await until(() => history.versions.length === 3, 'two live versions in the timeline')
    expect(history.versions.map((v) => v.version)).toEqual([1, 2, 3])
    expect(history.versions.slice(1).map((v) => v.clientToken)).toEqual(['cloud-app', 'device-fw'])
    expect(history.versions[2]!.document?.state).toEqual({ desired: { temperature: 22 }, reported: { temperature: 22 } })

    // A fresh store (a reload) reads the same versions back from the back end's history.
    freshPinia(t.api)
    const reloaded = useHistoryStore()
    await until(async () => (await reloaded.open({ thingName: 'thermostat-1' }), reloaded.versions.length === 3), 'the recorded versions')
    expect(reloaded.versions.map((v) => [v.version, v.clientToken]).slice(1)).toEqual([
      [2, 'cloud-app'],
      [3, 'device-fw']
    ])
    await shadow.close()
  })

  it('shows a version as it was and the diff of two', async () => {
    const { shadow, history } = await openBoth('thermostat-1')
    await history.selectVersion(2)
    expect(history.selected?.document.state).toEqual({ desired: { temperature: 22 }, reported: { temperature: 19 } })
    await history.diffVersions(3, 1)
    expect(history.diff?.from.version).toBe(1)
    expect(history.diff?.changes).toEqual(
      expect.arrayContaining([
        { kind: 'added', path: ['desired'], after: { temperature: 22 } },
        { kind: 'changed', path: ['reported', 'temperature'], before: 19, after: 22 }
      ])
    )
    await history.selectVersion(999)
    expect(describeError(history.selectError)).toMatch(/999/)
    await shadow.close()
  })

  it('exports the range as CSV and JSON lines, one row per version, and says where', async () => {
    const { shadow, history } = await openBoth('thermostat-1')
    await history.exportRange('csv')
    expect(history.exportError).toBeNull()
    expect(history.lastExport?.rows).toBe(3)
    const csv = (await readFile(history.lastExport!.path, 'utf8')).trim().split(/\r?\n/)
    expect(csv).toHaveLength(4)
    expect(csv[0]).toContain('reported.temperature')
    await history.exportRange('jsonl')
    const lines = (await readFile(history.lastExport!.path, 'utf8')).trim().split('\n')
    expect(lines.map((line) => (JSON.parse(line) as { version: number }).version)).toEqual([1, 2, 3])
    await shadow.close()
  })

  it('filters by time range: an empty range has no versions, and live versions after `to` stay out', async () => {
    await updateFromOutside('range-1', { reported: { level: 1 } })
    const { shadow, history } = await openBoth('range-1')
    expect(history.versions).toHaveLength(1)
    const past = history.versions[0]!.time - 60_000
    await history.setRange({ from: past - 60_000, to: past })
    expect(history.versions).toEqual([])
    await updateFromOutside('range-1', { reported: { level: 2 } })
    await until(() => shadow.version === 2, 'the inspector to see version 2')
    expect(history.versions).toEqual([])
    await history.setRange({})
    expect(history.versions.map((v) => v.version)).toEqual([1, 2])
    await history.setRange({ from: 10, to: 5 })
    expect(describeError(history.loadError)).toMatch(/from is after to/)
    await shadow.close()
  })

  it('reads and changes how much history is kept, refusing a bad value with the reason', async () => {
    const history = useHistoryStore()
    await history.loadSettings()
    expect(history.settings).toMatchObject({ keepDays: expect.any(Number), maxMegabytes: expect.any(Number), maxVersionsPerShadow: expect.any(Number) })
    expect(await history.saveSettings({ keepDays: 7 })).toBe(true)
    expect(history.settings?.keepDays).toBe(7)
    expect(await history.saveSettings({ maxVersionsPerShadow: 1 })).toBe(false)
    expect(describeError(history.settingsError)).toMatch(/maxVersionsPerShadow is at least 10/)
    freshPinia(t.api)
    const again = useHistoryStore()
    await again.loadSettings()
    expect(again.settings?.keepDays).toBe(7)
  })

  it('measures the update rate and the sync latency from desired change to matching report', async () => {
    const { shadow, history } = await openBoth('sensor-1')
    await updateFromOutside('sensor-1', { reported: { temperature: 18, humidity: 40 } })
    await updateFromOutside('sensor-1', { desired: { temperature: 21 } })
    await new Promise((resolve) => setTimeout(resolve, 150))
    await updateFromOutside('sensor-1', { reported: { humidity: 41 } })
    await updateFromOutside('sensor-1', { reported: { temperature: 21 } })
    await until(() => history.versions.length === 4, 'four versions')
    expect(history.updateRate(Date.now())).toBeCloseTo(4 / 5)
    expect(history.latencies).toHaveLength(1)
    expect(history.lastSyncLatency).toMatchObject({ key: 'temperature', desiredVersion: 2, reportedVersion: 4 })
    expect(history.lastSyncLatency!.ms).toBeGreaterThanOrEqual(140)
    expect(history.medianSyncLatencyMs).toBe(history.lastSyncLatency!.ms)
    // The chart's inputs: every numeric leaf, one point per version (null before a leaf existed).
    expect(numericLeafPaths(history.versions)).toEqual(['desired.temperature', 'reported.humidity', 'reported.temperature'])
    const [times, desired, humidity] = seriesColumns(history.versions, ['desired.temperature', 'reported.humidity'])
    expect(times).toHaveLength(4)
    expect(desired).toEqual([null, 21, 21, 21])
    expect(humidity).toEqual([40, 40, 41, 41])
    await shadow.close()
  })
})

describe('a busy shadow', () => {
  const range = (from: number, to: number) => Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => (from <= to ? from + i : from - i))

  it('appends live versions in order past the first page, counts them all, and reads older pages back from the history', async () => {
    await updateFromOutside('busy-1', { reported: { n: 1 } }, 't-1')
    const { shadow, history } = await openBoth('busy-1')
    const last = 2.2 * timelinePageSize
    // A cloud application writing fast: 16 at a time, each update its own version.
    for (let n = 2; n <= last; n += 16) await Promise.all(range(n, Math.min(last, n + 15)).map((k) => updateFromOutside('busy-1', { reported: { n: k } }, `t-${k}`)))
    await until(() => history.versionCount === last, `${last} versions counted`, 30_000)

    // The first page is the newest, live, with documents; every version is in the chart's columns, in order.
    expect(history.versions.map((v) => v.version)).toEqual(range(last - timelinePageSize + 1, last))
    expect(history.versions.at(-1)?.document?.state.reported).toEqual({ n: last })
    expect(history.series.versions).toEqual(range(1, last))
    expect(history.series.column('reported.n')).toEqual(range(1, last))
    expect(history.updateRate(Date.now())).toBeCloseTo(last / 5)

    // Older pages, newest first, with who changed each version.
    const second = await history.timelinePage(2)
    expect(second.map((v) => v.version)).toEqual(range(last - timelinePageSize, last - 2 * timelinePageSize + 1))
    expect(second[0]!.clientToken).toBe(`t-${last - timelinePageSize}`)
    const third = await history.timelinePage(3)
    expect(third.map((v) => v.version)).toEqual(range(last - 2 * timelinePageSize, 1))
    expect(await history.timelinePage(4)).toEqual([])
    expect(history.pageError).toBeNull()

    // Reopened (a reload): the same count and the same newest page, read from the history page by page.
    freshPinia(t.api)
    const reloaded = useHistoryStore()
    await reloaded.open({ thingName: 'busy-1' })
    expect(reloaded.versionCount).toBe(last)
    expect(reloaded.versions.map((v) => v.version)).toEqual(range(last - timelinePageSize + 1, last))
    await shadow.close()
  }, 60_000)

  it('drops the pages of a shadow left before they all came in', async () => {
    const history = useHistoryStore()
    const leftBehind = history.open({ thingName: 'busy-1' })
    await history.open({ thingName: 'thermostat-1' })
    await leftBehind
    expect(history.key?.thingName).toBe('thermostat-1')
    expect(history.versions.every((v) => v.thingName === 'thermostat-1')).toBe(true)
    expect(history.versionCount).toBe(3)
  })
})

describe('the chart and metric figures, kept a version at a time', () => {
  const at = (version: number, time: number, state: object) => ({ thingName: 't', version, time, source: 'documents' as const, document: { state, metadata: {} } })

  it('puts a late version in its place and gives a leaf that appears later nulls before it', () => {
    const series = new HistorySeries()
    expect(series.add(at(1, 1000, { reported: { a: 1 } }))).toBe(true)
    expect(series.add(at(3, 3000, { reported: { a: 3, b: 30 } }))).toBe(true)
    expect(series.add(at(2, 2000, { reported: { a: 2 } }))).toBe(false)
    expect(series.versions).toEqual([1, 2, 3])
    expect(series.times).toEqual([1, 2, 3])
    expect(series.column('reported.a')).toEqual([1, 2, 3])
    expect(series.column('reported.b')).toEqual([null, null, 30])
    expect(series.paths).toEqual(['reported.a', 'reported.b'])
    expect(series.has(2)).toBe(true)
    expect(series.has(4)).toBe(false)
    expect(series.countBetween(1500, 3000)).toBe(2)
  })

  it('keeps the median sync latency as latencies come', () => {
    const tracker = new SyncLatencyTracker()
    const versions = [
      at(1, 0, { desired: { a: 0 }, reported: { a: 0 } }),
      at(2, 100, { desired: { a: 1 }, reported: { a: 0 } }),
      at(3, 400, { desired: { a: 1 }, reported: { a: 1 } }),
      at(4, 500, { desired: { a: 2 }, reported: { a: 1 } }),
      at(5, 600, { desired: { a: 2 }, reported: { a: 2 } }),
      at(6, 700, { desired: { a: 3 }, reported: { a: 2 } }),
      at(7, 900, { desired: { a: 3 }, reported: { a: 3 } })
    ]
    for (const version of versions) tracker.add(version)
    expect(tracker.latencies.map((latency) => latency.ms)).toEqual([300, 100, 200])
    expect(tracker.medianMs).toBe(200)
  })
})

describe('sync latency', () => {
  const at = (version: number, time: number, state: object) => ({ thingName: 't', version, time, source: 'documents' as const, document: { state, metadata: {} } })
  it('counts a desired value replaced or cleared before the device caught up as never synced, and the first version as the start', () => {
    expect(
      syncLatencies([
        at(1, 0, { desired: { a: 1 }, reported: { a: 1 } }),
        at(2, 100, { desired: { a: 2 }, reported: { a: 1 } }),
        at(3, 200, { desired: { a: 3 }, reported: { a: 1 } }),
        at(4, 350, { desired: { a: 3 }, reported: { a: 3 } }),
        at(5, 400, { desired: { b: 1 }, reported: { a: 3 } }),
        at(6, 500, { reported: { a: 3 } }),
        at(7, 600, { reported: { a: 3, b: 1 } })
      ])
    ).toEqual([{ key: 'a', desiredVersion: 3, reportedVersion: 4, ms: 150 }])
  })
})
