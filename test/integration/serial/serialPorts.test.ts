import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SerialPort } from 'serialport'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultPortSettings, PortNames, SerialPorts, type Discovery, type PortStateChange, type PortsChange } from '../../../electron/core/serial'
import { openPtyPair, type PtyPair } from '../../support/ptyPair'
import { openSerialPort } from '../../support/serialPort'
import { until } from '../../support/until'

// Real serialport on real socat pty pairs: the "device" end is opened with serialport too and
// plays the board. Ptys never appear in the OS list, so they come in as watched paths.

let home: string
let ports: SerialPorts
const pairs: PtyPair[] = []
const devices: SerialPort[] = []
const noUsb = async (): Promise<Discovery> => ({ ports: [] })

async function pair(name: string): Promise<PtyPair> {
  const made = await openPtyPair(name, home)
  pairs.push(made)
  return made
}

async function device(path: string): Promise<SerialPort> {
  const port = await openSerialPort(path)
  devices.push(port)
  return port
}

async function manager(lister = noUsb): Promise<SerialPorts> {
  ports = new SerialPorts({ names: await PortNames.open(join(home, 'serial-ports.json')), lister, pollMs: 100 })
  await ports.start()
  return ports
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'thingbench-serial-'))
})
afterEach(async () => {
  await ports?.close()
  await Promise.all(devices.splice(0).map((port) => new Promise((resolve) => (port.isOpen ? port.close(resolve) : resolve(undefined)))))
  await Promise.all(pairs.splice(0).map((p) => p.close()))
  rmSync(home, { recursive: true, force: true })
})

describe('serial ports on real ptys', () => {
  it('a watched path shows up when its link appears and goes when it disappears (hot-plug)', async () => {
    const pty = await pair('board')
    const changes: PortsChange[] = []
    ;(await manager()).on('portsChanged', (change) => changes.push(change))
    await ports.watchPath(pty.hostPath)
    expect(ports.list().ports.find((p) => p.path === pty.hostPath)).toMatchObject({ watched: true, present: true, key: `path:${pty.hostPath}` })

    await pty.unplug()
    await until(() => changes.some((c) => c.removed.some((p) => p.path === pty.hostPath)), 'the unplugged port to be reported removed')
    expect(ports.list().ports.find((p) => p.path === pty.hostPath)?.present).toBe(false)
    const seen = changes.length
    await pty.replug()
    await until(() => changes.slice(seen).some((c) => c.added.some((p) => p.path === pty.hostPath)), 'the replugged port to be reported added')
    expect(ports.list().ports.find((p) => p.path === pty.hostPath)?.present).toBe(true)
  })

  it('remembers a friendly name and the watched paths in the home, across restarts', async () => {
    const pty = await pair('named')
    await (await manager()).watchPath(pty.hostPath)
    await ports.rename(pty.hostPath, 'Bench thermostat')
    expect(JSON.parse(readFileSync(join(home, 'serial-ports.json'), 'utf8'))).toEqual({ names: { [`path:${pty.hostPath}`]: 'Bench thermostat' }, watchedPaths: [pty.hostPath] })
    await ports.close()
    await manager()
    expect(ports.list().ports.find((p) => p.path === pty.hostPath)).toMatchObject({ friendlyName: 'Bench thermostat', watched: true, present: true })
  })

  it('follows a USB board by serial number: its name stays when it moves to another path', async () => {
    let listed: Discovery = { ports: [{ path: '/dev/ttyUSB0', serialNumber: 'A1B2', vendorId: '10c4', productId: 'ea60', manufacturer: 'Silicon Labs' }] }
    await manager(async () => listed)
    await ports.rename('/dev/ttyUSB0', 'ESP32 #1')
    listed = { ports: [{ path: '/dev/ttyUSB3', serialNumber: 'A1B2', vendorId: '10c4', productId: 'ea60', manufacturer: 'Silicon Labs' }] }
    await until(() => ports.list().ports.some((p) => p.path === '/dev/ttyUSB3'), 'the moved board to be listed')
    expect(ports.list().ports).toEqual([
      { path: '/dev/ttyUSB3', serialNumber: 'A1B2', vendorId: '10c4', productId: 'ea60', manufacturer: 'Silicon Labs', key: 'usb:10c4:ea60:A1B2', friendlyName: 'ESP32 #1', watched: false, present: true }
    ])
  })

  it('opens with line settings, moves bytes both ways, and one owner at a time', async () => {
    const pty = await pair('owned')
    await (await manager()).watchPath(pty.hostPath)
    const board = await device(pty.devicePath)
    const handle = await ports.acquire(pty.hostPath, 'serial monitor', { ...defaultPortSettings, baudRate: 921_600, parity: 'even', stopBits: 2, flowControl: 'xonxoff' })
    expect(ports.list().ports.find((p) => p.path === pty.hostPath)).toMatchObject({ heldBy: 'serial monitor', state: 'open' })
    await expect(ports.acquire(pty.hostPath, 'ExpressLink driver', defaultPortSettings)).rejects.toThrow(/held by serial monitor/)

    const toBoard: Buffer[] = []
    board.on('data', (b: Buffer) => toBoard.push(b))
    await handle.write(Buffer.from('AT\r\n'))
    await until(() => Buffer.concat(toBoard).toString() === 'AT\r\n', 'the board to receive AT')
    board.write('OK\r\n')
    await until(() => handle.log.bytes().toString() === 'OK\r\n', 'the host to log OK')

    await handle.release()
    expect(ports.list().ports.find((p) => p.path === pty.hostPath)?.heldBy).toBeUndefined()
    const again = await ports.acquire(pty.hostPath, 'ExpressLink driver', defaultPortSettings)
    expect(again.owner).toBe('ExpressLink driver')
  })

  it('opens several ports side by side', async () => {
    const [a, b] = [await pair('a'), await pair('b')]
    await manager()
    const [boardA, boardB] = [await device(a.devicePath), await device(b.devicePath)]
    const [ha, hb] = [await ports.acquire(a.hostPath, 'monitor A', defaultPortSettings), await ports.acquire(b.hostPath, 'monitor B', defaultPortSettings)]
    boardA.write('from A')
    boardB.write('from B')
    await until(() => ha.log.bytes().toString() === 'from A' && hb.log.bytes().toString() === 'from B', 'each port to receive its own board')
  })

  it('says what to do for a missing path and changes nothing', async () => {
    await manager()
    await expect(ports.acquire(join(home, 'no-such-port'), 'monitor', defaultPortSettings)).rejects.toMatchObject({ errorName: 'PortNotFound', message: expect.stringMatching(/does not exist: check the cable/) })
    expect(ports.list().ports).toEqual([])
  })

  it('reopens a USB board by serial number when it comes back on another path', async () => {
    // The OS list stands in for udev here; the ports themselves are real ptys.
    const first = await pair('usb-first')
    let listed: Discovery = { ports: [{ path: first.hostPath, serialNumber: 'FT1234', vendorId: '0403', productId: '6001' }] }
    await manager(async () => listed)
    const handle = await ports.acquire(first.hostPath, 'bench', defaultPortSettings)
    ;(await device(first.devicePath)).write('on first path\n')
    await until(() => handle.log.bytes().toString() === 'on first path\n', 'the first line')
    listed = { ports: [] }
    await first.unplug()
    await until(() => handle.state === 'vanished', 'the board to vanish')
    const second = await pair('usb-second')
    listed = { ports: [{ path: second.hostPath, serialNumber: 'FT1234', vendorId: '0403', productId: '6001' }] }
    await until(() => handle.state === 'reopened', 'the board to be reopened on its new path')
    expect(handle.path).toBe(second.hostPath)
    ;(await device(second.devicePath)).write('on second path\n')
    await until(() => handle.log.bytes().toString() === 'on first path\non second path\n', 'both lines in the log')
    expect(ports.list().ports).toEqual([expect.objectContaining({ path: second.hostPath, key: 'usb:0403:6001:FT1234', heldBy: 'bench', state: 'reopened' })])
  })

  it('survives the cable pulled mid-write: the write fails or finishes, the port is reported vanished, nothing crashes', async () => {
    const pty = await pair('midwrite')
    await (await manager()).watchPath(pty.hostPath)
    await device(pty.devicePath)
    const handle = await ports.acquire(pty.hostPath, 'bench', defaultPortSettings)
    const writing = handle.write(Buffer.alloc(4 * 1024 * 1024, 0x55)).then(
      () => 'finished',
      (error: Error & { errorName?: string }) => error.errorName
    )
    await pty.unplug()
    await until(() => handle.state === 'vanished', 'the port to be reported vanished')
    expect(['finished', 'PortVanished']).toContain(await writing)
    await pty.replug()
    await until(() => handle.state === 'reopened', 'the port to be reopened')
  })

  it('reports an unplugged port as vanished and reopens it when it returns, keeping the log', async () => {
    const pty = await pair('reset')
    await (await manager()).watchPath(pty.hostPath)
    const states: PortStateChange[] = []
    ports.on('portState', (s) => states.push(s))
    let board = await device(pty.devicePath)
    const handle = await ports.acquire(pty.hostPath, 'bench', defaultPortSettings)
    board.write('before unplug\n')
    await until(() => handle.log.bytes().toString() === 'before unplug\n', 'the first line')

    await pty.unplug()
    await until(() => handle.state === 'vanished', 'the port to be reported vanished')
    expect(states.find((s) => s.state === 'vanished')?.reason).toMatch(/was unplugged|disconnected/)
    expect(ports.list().ports.find((p) => p.path === pty.hostPath)).toMatchObject({ present: false, heldBy: 'bench', state: 'vanished' })
    await expect(handle.write(Buffer.from('x'))).rejects.toMatchObject({ errorName: 'PortVanished' })

    await pty.replug()
    board = await device(pty.devicePath)
    await until(() => handle.state === 'reopened', 'the port to be reopened')
    board.write('after replug\n')
    await until(() => handle.log.bytes().toString() === 'before unplug\nafter replug\n', 'the log to hold both lines')
    const fromHost: Buffer[] = []
    board.on('data', (b: Buffer) => fromHost.push(b))
    await handle.stream.write('still talking')
    await until(() => Buffer.concat(fromHost).toString() === 'still talking', 'the reopened stream to carry writes')
  })
})
