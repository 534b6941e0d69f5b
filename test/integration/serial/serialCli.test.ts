import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { serialCommand } from '../../../electron/cli/commands/serial'
import { openPtyPair, type PtyPair } from '../../support/ptyPair'
import { openSerialPort } from '../../support/serialPort'
import { until } from '../../support/until'

// `thingbench serial list|monitor` run in this process (the command function the CLI loads) on a real pty.

let home: string
let pty: PtyPair
beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'thingbench-serial-cli-'))
  pty = await openPtyPair('cli', home)
})
afterEach(async () => {
  await pty.close()
  rmSync(home, { recursive: true, force: true })
})

function context() {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()]
  const text = { out: '', err: '' }
  stdout.on('data', (d) => (text.out += d))
  stderr.on('data', (d) => (text.err += d))
  return { ctx: { env: {}, stdout, stderr, home }, text }
}

describe('thingbench serial', () => {
  it('list prints watched paths as JSON lines, remembered for the next run', async () => {
    const first = context()
    expect(await serialCommand(['list', '--watch', pty.hostPath], first.ctx)).toBe(0)
    const second = context()
    expect(await serialCommand(['list'], second.ctx)).toBe(0)
    expect(second.text.out.trim().split('\n').map((line) => JSON.parse(line))).toContainEqual(expect.objectContaining({ path: pty.hostPath, watched: true, present: true }))
  })

  it('monitor prints what the port receives until SIGINT, and refuses a bad --baud', async () => {
    const { ctx, text } = context()
    await expect(serialCommand(['monitor', '--port', pty.hostPath, '--baud', 'fast'], ctx)).rejects.toThrow(/--baud must be a whole number/)
    const signals = new EventEmitter()
    const running = serialCommand(['monitor', '--port', pty.hostPath, '--baud', '9600'], ctx, signals)
    await until(() => text.err.includes('Monitoring'), 'the monitor to start')
    const board = await openSerialPort(pty.devicePath, 9600)
    board.write('temperature:21.5\n')
    await until(() => text.out === 'temperature:21.5\n', 'the line on stdout')
    await new Promise((resolve) => board.close(resolve))
    signals.emit('SIGINT', 'SIGINT')
    expect(await running).toBe(0)
  })
})
