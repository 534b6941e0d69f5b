import { randomBytes } from 'node:crypto'
import type { SerialPort } from 'serialport'
import { afterEach, describe, expect, it } from 'vitest'
import { JsonLinesDriver, type Diagnostic } from '../../../electron/core/serial/drivers/jsonLines/jsonLinesDriver'
import { maxLineBytes } from '../../../electron/core/serial/drivers/jsonLines/protocol'
import type { DeviceReported } from '../../../electron/core/serial/drivers/jsonLines/protocol'
import { openPtyPair } from '../../support/ptyPair'
import { closeSerialPort, openSerialPort } from '../../support/serialPort'
import { until } from '../../support/until'

// What a badly behaved board sends, byte for byte, from the device end of a pty pair (real
// serialport on both ends): each bad line becomes one diagnostic naming its line number and what
// is wrong, and the good lines around it still arrive.

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function opened(path: string, baudRate = 115_200): Promise<SerialPort> {
  const port = await openSerialPort(path, baudRate)
  cleanups.push(() => closeSerialPort(port))
  return port
}

async function rawDevice(partialTimeoutMs = 200, hostBaudRate = 115_200) {
  const pair = await openPtyPair('raw')
  cleanups.push(() => pair.close())
  const host = await opened(pair.hostPath, hostBaudRate)
  const device = await opened(pair.devicePath)
  const driver = new JsonLinesDriver(host, { partialTimeoutMs, baudRate: hostBaudRate })
  const diagnostics: Diagnostic[] = []
  const reports: DeviceReported[] = []
  const fromDevice: string[] = []
  driver.on('diagnostic', (d) => diagnostics.push(d))
  driver.on('reported', (r) => reports.push(r))
  device.on('data', (chunk: Buffer) => fromDevice.push(chunk.toString()))
  const send = (bytes: string | Buffer) => new Promise<void>((resolve, reject) => device.write(bytes, (error) => (error ? reject(error) : device.drain(() => resolve()))))
  return { driver, diagnostics, reports, send, fromDevice }
}

const report = (n: number) => `{"type":"reported","state":{"n":${n}}}\n`

describe('JSON lines: bad input from the device is diagnosed and changes nothing else', () => {
  it('CR LF endings and blank lines are fine; a line of text that is not JSON is "line N is not JSON" with its start', async () => {
    const { diagnostics, reports, send } = await rawDevice()
    await send(`${report(1).trimEnd()}\r\n\r\n\nhello world, booting...\r\n${report(2)}`)
    await until(() => reports.length === 2, 'both reports')
    expect(reports.map((r) => r.state)).toEqual([{ n: 1 }, { n: 2 }])
    expect(diagnostics).toHaveLength(1)
    expect(diagnostics[0]).toMatchObject({ kind: 'notJson', lineNumber: 2 })
    expect(diagnostics[0]!.message).toMatch(/^line 2 is not JSON: .+; it starts "hello world, booting\.\.\."\.$/)
  })

  it('binary noise on a line is "not text", with how many bytes are control codes', async () => {
    const { diagnostics, reports, send } = await rawDevice()
    await send(Buffer.concat([Buffer.from([0x00, 0xff, 0x1b, 0x80, 0x41, 0xfe, 0x0a]), Buffer.from(report(1))]))
    await until(() => reports.length === 1, 'the report after the noise')
    expect(diagnostics).toEqual([{ kind: 'notText', lineNumber: 1, message: 'line 1 is not text: 4 of its 6 bytes are control codes or not UTF-8 (line noise, binary output, or the wrong baud rate).' }])
  })

  it('wrong baud rate (simulated: the port opened at 9600, the device sends what a 115200 UART looks like at 9600, random bytes): the message suggests 115200; a valid line clears it', async () => {
    const { diagnostics, reports, send } = await rawDevice(200, 9600)
    for (let i = 0; i < 8; i++) await send(randomBytes(64))
    const wrongBaud = await until(() => diagnostics.find((d) => d.kind === 'wrongBaud'), 'the wrong-baud diagnosis')
    expect(wrongBaud.message).toMatch(/^this looks like the wrong baud rate: \d+ bytes at 9600 baud with no valid line, \d+ of them not printable text\. Reopen the port at the device's rate: the device may speak 115200\.$/)
    await send(`\n${report(1)}`)
    await until(() => reports.length === 1, 'a good report after the noise')
    for (let i = 0; i < 8; i++) await send(randomBytes(64))
    await until(() => diagnostics.filter((d) => d.kind === 'wrongBaud').length === 2, 'a second diagnosis once noise returns after a good line')
  })

  it('a partial line followed by silence is reported and dropped, so the next line parses', async () => {
    const { diagnostics, reports, send } = await rawDevice(150)
    await send('{"type":"reported","sta')
    const partial = await until(() => diagnostics.find((d) => d.kind === 'partial'), 'the partial-line diagnosis')
    expect(partial.message).toBe('line 1 did not end: 23 bytes and then 150 ms of silence with no newline, starting "{\\"type\\":\\"reported\\",\\"sta". Dropped; did the device reset mid-line?')
    await send(report(7))
    await until(() => reports.length === 1, 'the next report')
    expect(reports[0]!.state).toEqual({ n: 7 })
  })

  it(`an over-long line (more than ${maxLineBytes} bytes) is dropped whole, said once, and the next line parses`, async () => {
    const { diagnostics, reports, send } = await rawDevice()
    await send(`{"type":"reported","state":{"blob":"${'x'.repeat(maxLineBytes + 500)}"}}\n${report(3)}`)
    await until(() => reports.length === 1, 'the report after the long line')
    expect(reports[0]!.state).toEqual({ n: 3 })
    expect(diagnostics).toEqual([{ kind: 'tooLong', lineNumber: 1, message: `line 1 is longer than ${maxLineBytes} bytes: dropped up to its end (the protocol's limit; split the message).` }])
  })

  it('JSON that is not a message, a message off the protocol, an unknown type: each named; a message with an id gets an error reply', async () => {
    const { diagnostics, send, fromDevice } = await rawDevice()
    await send('[1,2,3]\n{"type":"reported","state":"warm"}\n{"type":"telemetry","id":"t1","x":1}\n{"type":"reported","id":"r9","state":[]}\n')
    await until(() => diagnostics.length === 4, 'four diagnostics')
    expect(diagnostics.map((d) => d.message)).toEqual([
      'line 1 is JSON but not a message: each line must be an object with a "type" field; it starts "[1,2,3]".',
      'line 2 is a "reported" message that does not follow the protocol (state: Invalid input: expected record, received string): ignored.',
      'line 3 is a "telemetry" message, which this ThingBench does not know: ignored.',
      'line 4 is a "reported" message that does not follow the protocol (state: Invalid input: expected record, received array): ignored.'
    ])
    const replies = await until(() => (fromDevice.join('').match(/\n/g)?.length ?? 0) >= 2 && fromDevice.join('').trim().split('\n').map((line) => JSON.parse(line) as object), 'the error replies')
    expect(replies).toEqual([
      { type: 'error', re: 't1', code: 'unknown_type', message: 'unknown message type "telemetry"' },
      { type: 'error', re: 'r9', code: 'bad_message', message: 'state: Invalid input: expected record, received array' }
    ])
  })

  it('unknown fields are ignored, a report with an id is acknowledged, a reply to no request is diagnosed', async () => {
    const { diagnostics, reports, send, fromDevice } = await rawDevice()
    await send('{"type":"reported","id":"d1","state":{"n":1},"battery":"low","v2field":{}}\n{"type":"ack","re":"999"}\n')
    await until(() => reports.length === 1 && diagnostics.length === 1, 'the report and the diagnosis')
    expect(reports[0]).toMatchObject({ state: { n: 1 }, battery: 'low' })
    expect(diagnostics[0]!.message).toBe('line 2 answers id 999, which no request is waiting for (it came after its timeout, or from before a restart): ignored.')
    await until(() => fromDevice.join('').includes('\n'), 'the ack')
    expect(JSON.parse(fromDevice.join(''))).toEqual({ type: 'ack', re: 'd1' })
  })

  it('a desired state too big for one line is refused before anything is written', async () => {
    const { driver, fromDevice } = await rawDevice()
    await expect(driver.sendDesired({ blob: 'x'.repeat(maxLineBytes) })).rejects.toThrow(/^"desired" would be a \d+-byte line, over the protocol's 8192-byte limit, and the device would drop it: send less at once\.$/)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(fromDevice).toEqual([])
  })

  it('an unsolicited device error becomes a deviceError event with its code', async () => {
    const { driver, send } = await rawDevice()
    const deviceError = new Promise((resolve) => driver.once('deviceError', resolve))
    await send('{"type":"error","code":"storage_failed","message":"flash write failed"}\n')
    expect(await deviceError).toEqual({ type: 'error', code: 'storage_failed', message: 'flash write failed' })
  })
})
