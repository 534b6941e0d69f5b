// Child process for the history kill test: opens the history at TB_HISTORY_FILE and records
// versions of two shadows without end, committing every 200 (one transaction), until it is killed.
// Prints `READY`, then `COMMITTED <version>` after each commit returned: every version up to it
// must survive. Each version's state is a pure function of it (historyCrashState).
//
//   TB_HISTORY_FILE=… node --import tsx test/support/historyCrashDriver.ts
import { HistoryStore } from '../../electron/core/history'
import { historyCrashShadows, historyCrashState } from './historyCrashWorkload'

const file = process.env.TB_HISTORY_FILE
if (!file) throw new Error('historyCrashDriver needs TB_HISTORY_FILE')
const store = HistoryStore.open(file, { batchSize: 1_000_000 })
const first = (store.versions({ ...historyCrashShadows[0]!, maxResults: 1, withDocuments: false }).versions.length === 0 ? 0 : newest()) + 1

function newest(): number {
  let last = 0
  for (const page of store.rows(historyCrashShadows[0]!, {})) last = page.at(-1)!.version
  return last
}

process.stdout.write('READY\n')
for (let version = first; ; version++) {
  for (const shadow of historyCrashShadows)
    store.record({ ...shadow, version, time: Date.now(), document: { state: historyCrashState(version), metadata: {} }, source: 'documents', clientToken: `crash-${version}` })
  if (version % 200 === 0) {
    store.flush()
    process.stdout.write(`COMMITTED ${version}\n`)
    // Lets the parent's kill land between commits as well as inside one.
    if (version % 1000 === 0) await new Promise((resolve) => setImmediate(resolve))
  }
}
