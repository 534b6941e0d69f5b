import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ExpressLinkDriver } from '../../../electron/core/serial/drivers/expresslink'
import { openSerialPort } from '../../support/serialPort'
import { until } from '../../support/until'

// The simulated module as a technician starts it: one command that prints the port to open.

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe('the ExpressLink simulator', () => {
  it('`npm run device:expresslink -- --link PATH --state DIR` prints the host-side port; the driver identifies the module there; its key stays owner-only in DIR; Ctrl-C unplugs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thingbench-expresslink-cli-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const state = join(dir, 'state')
    // tsx itself, as the npm script runs it (npx would not pass Ctrl-C on).
    const child = spawn(join('node_modules', '.bin', 'tsx'), ['test/devices/expresslink/main.ts', '--link', join(dir, 'ttyExpressLink'), '--state', state, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    cleanups.push(() => void (child.exitCode === null && child.kill('SIGTERM')))
    let printed = ''
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()))
    const hostPath = await until(() => /Open this port in ThingBench \(ExpressLink, 115200 8N1\):\n\s+(\S+)/.exec(printed)?.[1], 'the printed port', 20_000)
    expect(hostPath).toBe(join(dir, 'ttyExpressLink-host'))

    const port = await openSerialPort(hostPath)
    const driver = new ExpressLinkDriver(port)
    const identity = await driver.identify()
    expect(printed).toContain(`ExpressLink module ${identity.thingName} ready`)
    expect(statSync(join(state, 'private.key')).mode & 0o777).toBe(0o600)

    child.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(existsSync(hostPath)).toBe(false)
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()))
  }, 30_000)
})
