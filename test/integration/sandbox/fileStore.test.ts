import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileStore, StoreCorruptError } from '../../../electron/sandbox/state/fileStore'

let dir: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingbench-store-'))
})
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

/** Runs the committing child, kills it with SIGKILL after a random number of acknowledged commits. */
function runChildAndKill(storeDir: string, killAfterAcks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(path.dirname(fileURLToPath(import.meta.url)), 'storeCrashChild.ts'), storeDir], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let lastAck = -1
    let acks = 0
    let buffered = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop()!
      for (const line of lines) {
        lastAck = Number(line)
        acks++
      }
      if (acks >= killAfterAcks) child.kill('SIGKILL')
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(lastAck)
      else reject(new Error(`child exited without being killed: ${stderr}`))
    })
  })
}

describe('FileStore', () => {
  it('keeps committed records, in first-put order, across reopen and compaction', () => {
    const store = FileStore.open(dir, { compactEvery: 3 })
    store.commit([{ op: 'put', collection: 'policies', key: 'b', value: { name: 'b' } }])
    store.commit([{ op: 'put', collection: 'policies', key: 'a', value: { name: 'a' } }])
    store.commit([{ op: 'put', collection: 'policies', key: 'b', value: { name: 'b', v: 2 } }])
    store.commit([
      { op: 'put', collection: 'policies', key: 'c', value: { name: 'c' } },
      { op: 'delete', collection: 'policies', key: 'a' }
    ])
    store.close()
    const reopened = FileStore.open(dir)
    expect(reopened.list('policies')).toEqual([{ name: 'b', v: 2 }, { name: 'c' }])
    expect(reopened.get('policies', 'a')).toBeUndefined()
    reopened.close()
  })

  it('hands out copies, so editing a record without a commit changes nothing', () => {
    const store = FileStore.open(dir)
    store.commit([{ op: 'put', collection: 'things', key: 'lamp', value: { version: 1 } }])
    store.get<{ version: number }>('things', 'lamp')!.version = 99
    expect(store.get('things', 'lamp')).toEqual({ version: 1 })
    store.close()
  })

  it('drops a torn last line and keeps accepting commits after it', () => {
    const store = FileStore.open(dir)
    store.commit([{ op: 'put', collection: 'things', key: 'one', value: 1 }])
    store.close()
    fs.appendFileSync(path.join(dir, 'store.log'), '{"seq":2,"changes":[{"op":"put","collec')
    const reopened = FileStore.open(dir)
    expect(reopened.list('things')).toEqual([1])
    reopened.commit([{ op: 'put', collection: 'things', key: 'two', value: 2 }])
    reopened.close()
    const third = FileStore.open(dir)
    expect(third.list('things')).toEqual([1, 2])
    third.close()
  })

  it('refuses a damaged line in the middle of the log instead of losing later commits', () => {
    const store = FileStore.open(dir)
    store.commit([{ op: 'put', collection: 'things', key: 'one', value: 1 }])
    store.close()
    const log = path.join(dir, 'store.log')
    fs.writeFileSync(log, 'garbage\n' + fs.readFileSync(log, 'utf8'))
    expect(() => FileStore.open(dir)).toThrow(StoreCorruptError)
  })

  it('survives kill -9 at random moments: every reopen loads a whole-commit prefix holding every acknowledged commit', async () => {
    let previousCount = 0
    for (let round = 0; round < 5; round++) {
      const lastAck = await runChildAndKill(dir, 1 + Math.floor(Math.random() * 40))
      const store = FileStore.open(dir)
      const count = store.get<{ count: number }>('meta', 'count')?.count ?? 0
      const things = store.list<{ n: number }>('things')
      // Both changes of each commit or neither: the counter matches the things exactly.
      expect(things.map((thing) => thing.n)).toEqual(Array.from({ length: count }, (_, i) => i))
      expect(count - 1).toBeGreaterThanOrEqual(lastAck)
      expect(count).toBeGreaterThanOrEqual(previousCount)
      previousCount = count
      store.close()
    }
    expect(previousCount).toBeGreaterThan(5)
  }, 120_000)
})
