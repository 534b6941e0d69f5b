// The state history's figures on a fresh SQLite file: N shadow versions recorded the way a watch
// records them (update/documents events, previous and current, through HistoryRecorder, batched
// transactions), then one time-range query over all of them (paged as history.versions pages,
// documents included) and that range exported as CSV and as JSON lines. Targets: >= 5,000
// versions/s; query and CSV export each < 3 s. Run by bench:history and bench:inspector.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ShadowDocumentView } from '../../electron/contract'
import { HistoryRecorder } from '../../electron/app/historyRecorder'
import { exportRange, HistoryStore, historyFileBytes } from '../../electron/core/history'

export interface HistoryFigures {
  versions: number
  writesPerSecond: number
  writeSeconds: number
  fileMb: number
  /** Versions 1..N, and version 0: the first update's previous. */
  kept: number
  listed: number
  querySeconds: number
  csv: { rows: number; seconds: number; bytes: number }
  jsonl: { rows: number; seconds: number; bytes: number }
  heapMb: number
}

/** A thermostat's document at a version: a dozen leaves in desired and reported, each with its metadata. */
function documentAt(version: number, epochSeconds: number): ShadowDocumentView {
  const desired = { celsius: 18 + (version % 8), mode: version % 3 ? 'heat' : 'eco', fan: { speed: version % 5, auto: version % 2 === 0 } }
  const reported = { celsius: 17.5 + (version % 9) / 2, humidity: 40 + (version % 20), mode: 'heat', fan: { speed: (version + 1) % 5, auto: true }, firmware: '1.4.2', label: `room ${version % 12}, "north"` }
  const stamped = (section: object): Record<string, never> =>
    Object.fromEntries(Object.entries(section).map(([key, value]) => [key, typeof value === 'object' ? stamped(value) : { timestamp: epochSeconds }])) as Record<string, never>
  return { state: { desired, reported }, metadata: { desired: stamped(desired), reported: stamped(reported) }, version, timestamp: epochSeconds }
}

export async function measureHistory(versions: number): Promise<HistoryFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'thingbench-history-bench-'))
  const file = join(dir, 'history.sqlite')
  const store = HistoryStore.open(file)
  const thing = { thingName: 'bench-thermostat', shadowName: 'climate' }
  const shadow = { connection: 'local', ...thing }
  try {
    // Versions 10 ms apart, ending now: within the default 30 days kept.
    const startTime = Date.now() - versions * 10
    let clock = startTime
    const recorder = new HistoryRecorder(
      () => store,
      (error) => {
        throw error
      },
      () => clock
    )
    const connection = { kind: 'local' } as const
    let previous = documentAt(0, clock / 1000)
    const writeStart = performance.now()
    for (let version = 1; version <= versions; version++) {
      clock += 10
      const document = documentAt(version, Math.floor(clock / 1000))
      recorder.record(connection, { ...thing, source: 'documents', document, previous, clientToken: `bench-${version}` })
      previous = document
    }
    store.flush()
    const writeSeconds = (performance.now() - writeStart) / 1000

    const range = { from: startTime, to: clock }
    const queryStart = performance.now()
    let listed = 0
    let nextToken: string | undefined
    do {
      const page = store.versions({ ...shadow, ...range, maxResults: 1000, withDocuments: true, ...(nextToken === undefined ? {} : { nextToken }) })
      listed += page.versions.length
      nextToken = page.nextToken
    } while (nextToken)
    const querySeconds = (performance.now() - queryStart) / 1000

    const timedExport = async (format: 'csv' | 'jsonl') => {
      const path = join(dir, `bench.${format}`)
      const start = performance.now()
      const { rows } = await exportRange(store, shadow, range, format, path)
      return { rows, seconds: (performance.now() - start) / 1000, bytes: (await stat(path)).size }
    }
    const csv = await timedExport('csv')
    const jsonl = await timedExport('jsonl')
    const heapMb = process.memoryUsage().heapUsed / 1024 / 1024
    store.close()
    return { versions, writesPerSecond: versions / writeSeconds, writeSeconds, fileMb: historyFileBytes(file) / 1024 / 1024, kept: versions + 1, listed, querySeconds, csv, jsonl, heapMb }
  } finally {
    store.close()
    await rm(dir, { recursive: true, force: true })
  }
}

export function historyTargetsMet(f: HistoryFigures): boolean {
  return f.writesPerSecond >= 5000 && f.querySeconds < 3 && f.csv.seconds < 3 && f.listed === f.kept && f.csv.rows === f.kept
}

export function printHistoryFigures(f: HistoryFigures, label = 'bench:history'): void {
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met')
  console.log(`${label}  versions=${f.versions}  one shadow, ~12 leaves each side, via HistoryRecorder (update/documents with previous), node:sqlite WAL synchronous=NORMAL`)
  console.log(`  writes   ${f.writesPerSecond.toFixed(0)} versions/s (${f.writeSeconds.toFixed(2)} s)   database ${f.fileMb.toFixed(1)} MB   target >= 5000/s: ${verdict(f.writesPerSecond >= 5000)}`)
  console.log(`  query    ${f.listed} versions in a time range, pages of 1000 with documents: ${f.querySeconds.toFixed(2)} s   target < 3 s: ${verdict(f.querySeconds < 3 && f.listed === f.kept)}`)
  console.log(`  csv      ${f.csv.rows} rows, ${mb(f.csv.bytes)} MB: ${f.csv.seconds.toFixed(2)} s   target < 3 s: ${verdict(f.csv.seconds < 3 && f.csv.rows === f.kept)}`)
  console.log(`  jsonl    ${f.jsonl.rows} rows, ${mb(f.jsonl.bytes)} MB: ${f.jsonl.seconds.toFixed(2)} s   (heap after: ${f.heapMb.toFixed(0)} MB)`)
}
