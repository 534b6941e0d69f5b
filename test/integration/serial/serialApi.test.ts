import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { SerialPort } from 'serialport'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ApiEvents } from '../../../electron/contract'
import { startTestApi, type TestApi } from '../../support/apiBackend'
import { openPtyPair, type PtyPair } from '../../support/ptyPair'
import { closeSerialPort, openSerialPort } from '../../support/serialPort'
import { until } from '../../support/until'

// serial.* through the real dispatcher (answers and events copied as over the wire), on a real
// socat pty pair with real serialport at both ends.

let t: TestApi
let pty: PtyPair
let board: SerialPort | undefined

function record<E extends 'serial.portsChanged' | 'serial.data' | 'serial.portState'>(event: E): Array<ApiEvents[E]> {
  const list: Array<ApiEvents[E]> = []
  t.api.on(event, (payload) => list.push(payload))
  return list
}

async function openBoard(): Promise<SerialPort> {
  const port = await openSerialPort(pty.devicePath, 921_600)
  board = port
  return port
}

const received = (data: Array<ApiEvents['serial.data']>): string => Buffer.concat(data.flatMap((d) => d.chunks.map((c) => Buffer.from(c.base64, 'base64')))).toString()

beforeEach(async () => {
  t = await startTestApi()
  pty = await openPtyPair('api', t.home)
})
afterEach(async () => {
  if (board?.isOpen) await new Promise((resolve) => board!.close(resolve))
  await t.close()
  await pty.close()
})

describe('serial.* on a real pty', () => {
  it('lists a watched path, says discovery is degraded without udevadm, and remembers a friendly name', async () => {
    const changes = record('serial.portsChanged')
    const first = await t.api.call('serial.list', {})
    const hasUdevadm = (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, 'udevadm')))
    if (hasUdevadm) expect(first.degraded).toBeUndefined()
    else expect(first.degraded).toMatch(/udevadm is not installed/)
    const watched = await t.api.call('serial.watchPath', { path: pty.hostPath })
    expect(watched).toMatchObject({ path: pty.hostPath, watched: true, present: true })
    expect(changes.some((c) => c.added.includes(pty.hostPath))).toBe(true)
    expect(await t.api.call('serial.rename', { path: pty.hostPath, friendlyName: 'Thermostat on bench 2' })).toMatchObject({ friendlyName: 'Thermostat on bench 2' })
    const listed = await t.api.call('serial.list', {})
    expect(listed.ports.find((p) => p.path === pty.hostPath)).toMatchObject({ friendlyName: 'Thermostat on bench 2', watched: true })
    await t.api.call('serial.unwatchPath', { path: pty.hostPath })
    expect((await t.api.call('serial.list', {})).ports.some((p) => p.path === pty.hostPath)).toBe(false)
  })

  it('opens, writes text with a line ending and hex bytes, and streams what the board sends in batches', async () => {
    const data = record('serial.data')
    const b = await openBoard()
    const opened = await t.api.call('serial.open', { path: pty.hostPath, baudRate: 921_600 })
    expect(opened).toMatchObject({ heldBy: 'serial monitor', state: 'open' })
    const toBoard: Buffer[] = []
    b.on('data', (chunk: Buffer) => toBoard.push(chunk))
    expect(await t.api.call('serial.write', { path: pty.hostPath, encoding: 'text', text: 'AT+CONNECT?', lineEnding: 'crlf' })).toEqual({ bytesWritten: 13 })
    expect(await t.api.call('serial.write', { path: pty.hostPath, encoding: 'hex', hex: '0x41 54:0d-0a' })).toEqual({ bytesWritten: 4 })
    await until(() => Buffer.concat(toBoard).toString() === 'AT+CONNECT?\r\nAT\r\n', 'the board to receive both writes')

    // 256 KB in 1 KB writes: hundreds of reads, a handful of events.
    const lines = Array.from({ length: 256 }, (_, i) => `${String(i).padStart(4, '0')}:${'x'.repeat(1018)}\n`)
    for (const line of lines) b.write(line)
    await until(() => received(data).length === 256 * 1024, 'every byte to reach the UI', 20_000)
    expect(received(data)).toBe(lines.join(''))
    const chunks = data.reduce((n, d) => n + d.chunks.length, 0)
    console.log(`serial.data: ${chunks} reads in ${data.length} events`)
    expect(data.length).toBeLessThan(chunks)
    expect(data.every((d) => d.chunks.every((c) => typeof c.at === 'number' && c.at > 0))).toBe(true)

    expect(await t.api.call('serial.setSignals', { path: pty.hostPath, dtr: false })).toMatchObject({ applied: false, message: expect.stringMatching(/no modem lines/) })
    expect(await t.api.call('serial.close', { path: pty.hostPath })).toEqual({ closed: true })
    expect((await t.api.call('serial.list', {})).ports.find((p) => p.path === pty.hostPath)?.heldBy).toBeUndefined()
  })

  it('refuses a bad baud, a missing path and a port already held, each saying what to do, changing nothing', async () => {
    await expect(t.api.call('serial.open', { path: pty.hostPath, baudRate: 12.5 })).rejects.toThrow(/Baud rate must be a whole number/)
    await expect(t.api.call('serial.open', { path: 'ttyUSB0' })).rejects.toThrow(/full path such as \/dev\/ttyUSB0/)
    await expect(t.api.call('serial.write', { path: pty.hostPath, encoding: 'hex', hex: 'abc' })).rejects.toThrow(/two digits each/)
    await expect(t.api.call('serial.open', { path: `${pty.hostPath}-missing` })).rejects.toMatchObject({ errorName: 'PortNotFound', message: expect.stringMatching(/does not exist: check the cable/) })
    await t.api.call('serial.open', { path: pty.hostPath })
    await expect(t.api.call('serial.open', { path: pty.hostPath, baudRate: 9600 })).rejects.toMatchObject({ errorName: 'PortHeld', message: expect.stringMatching(/held by serial monitor/) })
    await expect(t.api.call('serial.write', { path: `${pty.hostPath}-missing`, encoding: 'text', text: 'hi' })).rejects.toMatchObject({ errorName: 'PortNotOpen' })
    const list = await t.api.call('serial.list', {})
    expect(list.ports.filter((p) => p.heldBy)).toEqual([expect.objectContaining({ path: pty.hostPath, heldBy: 'serial monitor' })])
  })

  it('reports the cable pulled and the port reopened when it returns, and the UI keeps receiving', async () => {
    const states = record('serial.portState')
    const changes = record('serial.portsChanged')
    const data = record('serial.data')
    await t.api.call('serial.watchPath', { path: pty.hostPath })
    let b = await openBoard()
    await t.api.call('serial.open', { path: pty.hostPath })
    b.write('boot 1\n')
    await until(() => received(data) === 'boot 1\n', 'the first boot line')
    await new Promise((resolve) => b.close(resolve))

    await pty.unplug()
    await until(() => states.some((s) => s.state === 'vanished'), 'serial.portState vanished')
    expect(changes.some((c) => c.removed.includes(pty.hostPath))).toBe(true)
    await expect(t.api.call('serial.write', { path: pty.hostPath, encoding: 'text', text: 'x' })).rejects.toMatchObject({ errorName: 'PortVanished', message: expect.stringMatching(/plug it back in/) })

    await pty.replug()
    b = await openBoard()
    await until(() => states.some((s) => s.state === 'reopened'), 'serial.portState reopened')
    b.write('boot 2\n')
    await until(() => received(data) === 'boot 1\nboot 2\n', 'the line after the replug')
    expect(states.map((s) => s.state)).toEqual(['open', 'vanished', 'reopened'])
  })

  it('closing the back end (the UI session ended) lets the port go', async () => {
    await t.api.call('serial.open', { path: pty.hostPath })
    await t.backend.close()
    const other = await openSerialPort(pty.hostPath, 9600)
    await closeSerialPort(other)
  })
})
