import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { GetThingShadowCommand, ResourceNotFoundException } from '@aws-sdk/client-iot-data-plane'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixedSecretProtector } from '../provisioning/support/fixedSecretProtector'
import { dataPlaneClientFor } from '../../support/dataPlane'
import { startTestSandbox } from '../../support/sandbox'
import { CRASH_SHADOWS, crashShadowLabel, expectedStateAt, type CrashShadow } from '../../support/shadowCrashWorkload'

// The shadow kill test: a child runs a Local IoT Core and keeps updating shadows over HTTP; it is
// SIGKILLed at a random moment, the sandbox is restarted on the same data directory, and every shadow
// must be at the last version the child was told was accepted, or the one after (an update written
// but not yet answered), with exactly that version's state — never in between, nothing acknowledged
// lost. Then the next child continues from there.

const root = resolve(__dirname, '..', '..', '..')
const driver = join(root, 'test', 'support', 'shadowCrashDriver.ts')
const ROUNDS = 8
const sandboxKey = randomBytes(32).toString('hex')
let dataDir: string

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tb-shadow-kill-'))
})
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

/** Runs the driver for `runMs` after it is ready, SIGKILLs it, and returns the last acknowledged version per shadow label. */
async function runAndKill(runMs: number): Promise<Map<string, number>> {
  const child = spawn(process.execPath, ['--import', 'tsx', driver], {
    cwd: root,
    env: { ...process.env, TB_SANDBOX_DIR: dataDir, TB_SANDBOX_KEY: sandboxKey },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const acknowledged = new Map<string, number>()
  const lines = createInterface({ input: child.stdout })
  const linesDone = once(lines, 'close')
  const exited = once(child, 'exit')
  const ready = new Promise<void>((resolveReady, reject) => {
    lines.on('line', (line) => {
      if (line === 'READY') resolveReady()
      const ack = /^ACK (\S+) (\d+)$/.exec(line)
      if (ack) acknowledged.set(ack[1]!, Number(ack[2]))
    })
    void exited.then(([code, signal]) => reject(new Error(`the driver exited (${code ?? signal}) before it was killed: ${stderr}`)))
  })
  await ready
  await sleep(runMs)
  child.kill('SIGKILL')
  const [code, signal] = await exited
  // Every ACK the child wrote before it died is read: the pipe keeps it.
  await linesDone
  expect(signal, `the driver was to be killed, but it ended by itself (code ${code}): ${stderr}`).toBe('SIGKILL')
  return acknowledged
}

describe('shadows survive kill -9 during HTTP updates', () => {
  it(`${ROUNDS} rounds: each shadow at an acknowledged version or the next, with that version's state`, async () => {
    const lastAcknowledged = new Map<string, number>(CRASH_SHADOWS.map((shadow) => [crashShadowLabel(shadow), 0]))
    let unansweredButKept = 0
    for (let round = 1; round <= ROUNDS; round++) {
      const runMs = 50 + Math.floor(Math.random() * 600)
      const acknowledged = await runAndKill(runMs)
      for (const [label, version] of acknowledged) lastAcknowledged.set(label, Math.max(lastAcknowledged.get(label) ?? 0, version))

      const sandbox = await startTestSandbox({ dataDir, secretProtector: fixedSecretProtector(sandboxKey) })
      const data = dataPlaneClientFor(sandbox.core)
      try {
        for (const shadow of CRASH_SHADOWS) {
          const label = crashShadowLabel(shadow)
          const acked = lastAcknowledged.get(label)!
          const found = await storedShadow(data, shadow)
          const context = `round ${round} (killed ${runMs} ms after ready), ${label}: last acknowledged version ${acked}`
          expect([acked, acked + 1], `${context}, found version ${found?.version ?? 'none'}`).toContain(found?.version ?? 0)
          if (found === undefined) continue
          expect(found.state, `${context}: the state of version ${found.version}`).toEqual(expectedStateAt(found.version))
          if (found.version === acked + 1) unansweredButKept++
          // What is there now is what the next round starts from.
          lastAcknowledged.set(label, found.version)
        }
      } finally {
        data.destroy()
        await sandbox.stop()
      }
    }
    // The rounds did real work: every shadow moved well past its first versions.
    for (const [label, version] of lastAcknowledged) expect(version, `${label} was barely updated`).toBeGreaterThan(ROUNDS)
    console.info(`shadow kill test: final versions ${JSON.stringify(Object.fromEntries(lastAcknowledged))}; ${unansweredButKept} updates kept though their answer died with the process`)
  }, 120_000)
})

async function storedShadow(data: ReturnType<typeof dataPlaneClientFor>, shadow: CrashShadow): Promise<{ version: number; state: unknown } | undefined> {
  try {
    const { payload } = await data.send(new GetThingShadowCommand(shadow))
    return JSON.parse(new TextDecoder().decode(payload)) as { version: number; state: unknown }
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined
    throw error
  }
}
