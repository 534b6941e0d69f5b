// A virtual serial cable: socat joins two pseudo-terminals, each reachable through a symlink, so a
// simulated device opens one end and ThingBench (real serialport) the other. Closing the pair is a
// cable pulled out; `replug` makes a new pair under the same link names.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { neededTool } from './neededTool'

export const socat = neededTool('socat', ['-V'])

export interface PtyPair {
  /** The end ThingBench opens (the "USB port"). */
  hostPath: string
  /** The end the simulated device opens. */
  devicePath: string
  /** Pulls the cable: both ends vanish until `replug`. */
  unplug(): Promise<void>
  /** Plugs a fresh cable in under the same paths. */
  replug(): Promise<void>
  close(): Promise<void>
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A socat pty pair under a fresh temp folder (or `folder`), named `<name>-host` and `<name>-device`. */
export async function openPtyPair(name = 'tty', folder?: string): Promise<PtyPair> {
  socat.assertPresent()
  const dir = folder ?? mkdtempSync(join(tmpdir(), 'thingbench-pty-'))
  const hostPath = join(dir, `${name}-host`)
  const devicePath = join(dir, `${name}-device`)
  let child: ChildProcess | undefined

  async function plug(): Promise<void> {
    // raw,echo=0: bytes pass untouched (no line discipline, no local echo), as on a USB CDC port.
    child = spawn('socat', [`pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${devicePath}`], { stdio: 'ignore' })
    await waitFor(() => existsSync(hostPath) && existsSync(devicePath), `socat to create ${hostPath}`)
  }

  async function unplug(): Promise<void> {
    const running = child
    child = undefined
    if (!running || running.exitCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGTERM')
    await exited
    await waitFor(() => !existsSync(hostPath) && !existsSync(devicePath), `socat to remove ${hostPath}`)
  }

  await plug()
  return {
    hostPath,
    devicePath,
    unplug,
    replug: plug,
    async close() {
      await unplug()
      if (!folder) rmSync(dir, { recursive: true, force: true })
    }
  }
}
