// @vitest-environment happy-dom
import type { SerialPort } from 'serialport'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { logAsText } from '../../../../renderer/src/stores/support/serialLog'
import { useSerialStore } from '../../../../renderer/src/stores/useSerialStore'
import { startTestApi, type TestApi } from '../../../support/apiBackend'
import { openPtyPair, type PtyPair } from '../../../support/ptyPair'
import { openSerialPort } from '../../../support/serialPort'
import { until } from '../../../support/until'
import { freshPinia } from '../registry/registryApp'

// The serial monitor's store against the real back end in-process and a real socat pty: the
// "board" is real serialport on the pty's other end.
let t: TestApi
let pty: PtyPair
let board: SerialPort
let store: ReturnType<typeof useSerialStore>
const toBoard: Buffer[] = []

beforeEach(async () => {
  localStorage.clear()
  t = await startTestApi()
  pty = await openPtyPair('store', t.home)
  board = await openSerialPort(pty.devicePath)
  toBoard.length = 0
  board.on('data', (chunk: Buffer) => toBoard.push(chunk))
  freshPinia(t.api)
  store = useSerialStore()
})
afterEach(async () => {
  await store.closeAll()
  if (board.isOpen) await new Promise((resolve) => board.close(resolve))
  await t.close()
  await pty.close()
})

describe('the serial store', () => {
  it('adds a pty path, opens it, logs and plots what the board sends, and sends with the chosen line ending', async () => {
    expect(await store.watchPath(pty.hostPath)).toBe(true)
    expect(store.ports.find((p) => p.path === pty.hostPath)).toMatchObject({ watched: true, present: true })
    expect(await store.open(pty.hostPath, { baudRate: 921_600, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none' })).toBe(true)
    expect(store.activePath).toBe(pty.hostPath)
    const session = store.sessions.get(pty.hostPath)!
    const sent = 'temp:21.5 humidity:40\n{"type":"reported","state":{"celsius":22}}\n'
    board.write(sent)
    await until(() => session.bytesReceived === sent.length, 'both lines in the log')
    expect(logAsText(session.log, false)).toBe(sent)
    expect(logAsText(session.log, true)).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] temp:21\.5/)
    expect(session.plot.names).toEqual(['humidity', 'state.celsius', 'temp'])
    expect(session.plot.columns.get('temp')).toEqual([21.5, null])

    store.setLineEnding(pty.hostPath, 'crlf')
    expect(await store.send(pty.hostPath, { text: 'AT+STATUS?' })).toBe(true)
    expect(await store.send(pty.hostPath, { hex: '41 54 0d 0a' })).toBe(true)
    await until(() => Buffer.concat(toBoard).toString() === 'AT+STATUS?\r\nAT\r\n', 'the board to get both writes')
    expect(store.history).toEqual(['AT+STATUS?', '41 54 0d 0a'])
    expect(session.bytesSent).toBe(16)

    // Remembered: the baud for this path, the line ending, the history, the added path.
    freshPinia(t.api)
    const again = useSerialStore()
    expect(again.settingsFor(pty.hostPath).baudRate).toBe(921_600)
    expect(again.history).toEqual(['AT+STATUS?', '41 54 0d 0a'])
  })

  it('shows a vanished port plainly and reopens it when the cable returns', async () => {
    await store.watchPath(pty.hostPath)
    await store.open(pty.hostPath)
    const session = store.sessions.get(pty.hostPath)!
    await pty.unplug()
    await until(() => session.state === 'vanished', 'the port to be reported vanished', 10_000)
    await pty.replug()
    await until(() => session.state === 'reopened', 'the port to reopen', 15_000)
  }, 30_000)

  it('names the error when a path does not exist or a hex send is malformed, and opens nothing', async () => {
    expect(await store.open(`${pty.hostPath}-missing`)).toBe(false)
    expect(store.listError).toMatch(/^PortNotFound: /)
    expect(store.sessions.size).toBe(0)
    await store.watchPath(pty.hostPath)
    await store.open(pty.hostPath)
    expect(await store.send(pty.hostPath, { hex: 'abc' })).toBe(false)
    expect(store.sessions.get(pty.hostPath)!.error).toMatch(/two digits each/)
  })
})
