import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { DatabaseSync } from 'node:sqlite'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HistoryStore } from '../../../electron/core/history'
import { historyCrashShadows, historyCrashState } from '../../support/historyCrashWorkload'

// The history kill test: a child records versions in batched transactions and is SIGKILLed at a
// random moment (often inside a transaction); the database reopened after it must be intact and
// hold every version the child was told was committed, each with its own state, with no gap.

const root = resolve(__dirname, '..', '..', '..')
const driver = join(root, 'test', 'support', 'historyCrashDriver.ts')
const ROUNDS = 5
let dir: string
let file: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tb-history-kill-'))
  file = join(dir, 'history.sqlite')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Runs the driver for `runMs` after it is ready, SIGKILLs it, and returns the last version it reported committed. */
async function runAndKill(runMs: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', driver], { cwd: root, env: { ...process.env, TB_HISTORY_FILE: file }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  let committed = 0
  const lines = createInterface({ input: child.stdout })
  const linesDone = once(lines, 'close')
  const exited = once(child, 'exit')
  await new Promise<void>((resolveReady, reject) => {
    lines.on('line', (line) => {
      if (line === 'READY') resolveReady()
      const match = /^COMMITTED (\d+)$/.exec(line)
      if (match) committed = Number(match[1])
    })
    void exited.then(([code, signal]) => reject(new Error(`the driver exited (${code ?? signal}) before it was killed: ${stderr}`)))
  })
  await sleep(runMs)
  child.kill('SIGKILL')
  const [code, signal] = await exited
  await linesDone
  expect(signal, `the driver was to be killed, but it ended by itself (code ${code}): ${stderr}`).toBe('SIGKILL')
  return committed
}

describe('the history survives kill -9 while recording', () => {
  it(`${ROUNDS} rounds: every committed version is there with its state, and the database is intact`, async () => {
    let lastCommitted = 0
    for (let round = 1; round <= ROUNDS; round++) {
      const committed = await runAndKill(200 + Math.floor(Math.random() * 800))
      expect(committed, 'the driver committed nothing before it was killed: give it longer').toBeGreaterThan(lastCommitted)
      lastCommitted = committed

      const check = new DatabaseSync(file)
      expect(check.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
      check.close()

      const store = HistoryStore.open(file)
      try {
        for (const shadow of historyCrashShadows) {
          const versions: number[] = []
          for (const page of store.rows(shadow, {})) for (const row of page) {
            versions.push(row.version)
            if (row.version % 97 === 0) expect(JSON.parse(row.state)).toEqual(historyCrashState(row.version))
          }
          // 1..n without a gap, n at least what was acknowledged (a commit may land just before its line).
          expect(versions.length).toBeGreaterThanOrEqual(lastCommitted)
          expect(versions[0]).toBe(1)
          expect(versions.at(-1)).toBe(versions.length)
          expect(store.version(shadow, lastCommitted)).toMatchObject({ clientToken: `crash-${lastCommitted}`, document: { state: historyCrashState(lastCommitted) } })
        }
      } finally {
        store.close()
      }
    }
  }, 120_000)
})
