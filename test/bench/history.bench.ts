// npm run bench:history [-- --versions N]
// The state history on a fresh SQLite file: N shadow versions recorded the way a watch records them
// (update/documents events, previous and current, through HistoryRecorder, batched transactions),
// then one time-range query over all of them (paged as history.versions pages, documents included)
// and that range exported as CSV and as JSON lines. Targets: >= 5,000 versions/s; query and CSV
// export each < 3 s.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { ShadowDocumentView } from '../../electron/contract'
import { HistoryRecorder } from '../../electron/app/historyRecorder'
import { exportRange, HistoryStore, historyFileBytes } from '../../electron/core/history'

const { values } = parseArgs({ options: { versions: { type: 'string', default: '100000' } } })
const versions = Number(values.versions)
const dir = await mkdtemp(join(tmpdir(), 'thingbench-history-bench-'))
const file = join(dir, 'history.sqlite')
const store = HistoryStore.open(file)
const thing = { thingName: 'bench-thermostat', shadowName: 'climate' }
const shadow = { connection: 'local', ...thing }

/** A thermostat's document at a version: a dozen leaves in desired and reported, each with its metadata. */
function documentAt(version: number, epochSeconds: number): ShadowDocumentView {
  const desired = { celsius: 18 + (version % 8), mode: version % 3 ? 'heat' : 'eco', fan: { speed: version % 5, auto: version % 2 === 0 } }
  const reported = { celsius: 17.5 + (version % 9) / 2, humidity: 40 + (version % 20), mode: 'heat', fan: { speed: (version + 1) % 5, auto: true }, firmware: '1.4.2', label: `room ${version % 12}, "north"` }
  const stamped = (section: object): Record<string, never> =>
    Object.fromEntries(Object.entries(section).map(([key, value]) => [key, typeof value === 'object' ? stamped(value) : { timestamp: epochSeconds }])) as Record<string, never>
  return { state: { desired, reported }, metadata: { desired: stamped(desired), reported: stamped(reported) }, version, timestamp: epochSeconds }
}

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
const writesPerSecond = versions / writeSeconds

const range = { from: startTime, to: clock }
/** Versions 1..N, and version 0: the first update's previous. */
const kept = versions + 1
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
const fileMb = historyFileBytes(file) / 1024 / 1024
await rm(dir, { recursive: true, force: true })

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met')
console.log(`bench:history  versions=${versions}  one shadow, ~12 leaves each side, via HistoryRecorder (update/documents with previous), node:sqlite WAL synchronous=NORMAL`)
console.log(`  writes   ${writesPerSecond.toFixed(0)} versions/s (${writeSeconds.toFixed(2)} s)   database ${fileMb.toFixed(1)} MB   target >= 5000/s: ${verdict(writesPerSecond >= 5000)}`)
console.log(`  query    ${listed} versions in a time range, pages of 1000 with documents: ${querySeconds.toFixed(2)} s   target < 3 s: ${verdict(querySeconds < 3 && listed === kept)}`)
console.log(`  csv      ${csv.rows} rows, ${mb(csv.bytes)} MB: ${csv.seconds.toFixed(2)} s   target < 3 s: ${verdict(csv.seconds < 3 && csv.rows === kept)}`)
console.log(`  jsonl    ${jsonl.rows} rows, ${mb(jsonl.bytes)} MB: ${jsonl.seconds.toFixed(2)} s   (heap after: ${heapMb.toFixed(0)} MB)`)
if (writesPerSecond < 5000 || querySeconds >= 3 || csv.seconds >= 3 || listed !== kept || csv.rows !== kept) process.exitCode = 1
