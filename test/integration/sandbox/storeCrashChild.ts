// Child process for fileStore.test.ts: commits forever into the store at argv[2] until it is killed.
// Each commit puts thing `t<n>` and moves meta `count` to n+1 in one commit, then prints `n` once the
// commit has returned (i.e. is durable), so the parent knows which commits were acknowledged.
import { FileStore } from '../../../electron/sandbox/state/fileStore'

const store = FileStore.open(process.argv[2]!, { compactEvery: 7 })
let next = store.get<{ count: number }>('meta', 'count')?.count ?? 0
for (;;) {
  store.commit([
    { op: 'put', collection: 'things', key: `t${next}`, value: { n: next, padding: 'x'.repeat(next % 300) } },
    { op: 'put', collection: 'meta', key: 'count', value: { count: next + 1 } }
  ])
  process.stdout.write(`${next}\n`)
  next++
}
