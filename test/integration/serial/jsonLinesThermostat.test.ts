import { GetThingShadowCommand, IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SerialPort } from 'serialport'
import { afterEach, describe, expect, it } from 'vitest'
import { JsonLinesDriver, type Diagnostic } from '../../../electron/core/serial/drivers/jsonLines/jsonLinesDriver'
import { JsonLinesClosedError, JsonLinesDeviceError, JsonLinesTimeoutError } from '../../../electron/core/serial/drivers/jsonLines/errors'
import type { DeviceReported } from '../../../electron/core/serial/drivers/jsonLines/protocol'
import { thermostatOnPort, type RunningThermostat } from '../../devices/thermostat/onPort'
import type { ThermostatDeviceOptions } from '../../devices/thermostat/thermostatDevice'
import { caOf, provisionDevice } from '../../support/mqttDevices'
import { closeSerialPort, openSerialPort } from '../../support/serialPort'
import { openPtyPair, type PtyPair } from '../../support/ptyPair'
import { startTestSandbox } from '../../support/sandbox'
import { until } from '../../support/until'

// ThingBench's JSON-lines driver against the thermostat simulator, each on its end of a socat pty
// pair, both through real serialport: what a technician sees with a custom-firmware board.

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function openHost(path: string): Promise<SerialPort> {
  const port = await openSerialPort(path)
  cleanups.push(() => closeSerialPort(port))
  return port
}

interface Bench {
  pair: PtyPair
  thermostat: RunningThermostat
  driver: JsonLinesDriver
  reports: DeviceReported[]
  diagnostics: Diagnostic[]
  logged: string[]
}

/** A pty pair, the thermostat on its device end, and the driver on the host end (opened first, so nothing the device says is missed). */
async function bench(options: ThermostatDeviceOptions = {}, requestTimeoutMs = 1_000): Promise<Bench> {
  const pair = await openPtyPair('thermostat')
  cleanups.push(() => pair.close())
  const port = await openHost(pair.hostPath)
  const logged: string[] = []
  const log = { debug: (fields: object, message: string) => logged.push(JSON.stringify(fields) + message), warn: (fields: object, message: string) => logged.push(JSON.stringify(fields) + message) }
  const driver = new JsonLinesDriver(port, { baudRate: 115_200, requestTimeoutMs, log })
  const reports: DeviceReported[] = []
  const diagnostics: Diagnostic[] = []
  driver.on('reported', (report) => reports.push(report))
  driver.on('diagnostic', (diagnostic) => diagnostics.push(diagnostic))
  const thermostat = await thermostatOnPort(pair.devicePath, { tickMs: 20, thermostat: { rate: 20 }, ...options })
  cleanups.push(() => thermostat.close())
  return { pair, thermostat, driver, reports, diagnostics, logged }
}

describe('JSON lines: the driver and the thermostat over a pty pair', () => {
  it('hello: the thermostat names itself (device, firmware, serial number, protocol 1), also unprompted at boot', async () => {
    const pair = await openPtyPair('thermostat')
    cleanups.push(() => pair.close())
    const driver = new JsonLinesDriver(await openHost(pair.hostPath))
    const bootHello = new Promise((resolve) => driver.once('hello', resolve))
    const thermostat = await thermostatOnPort(pair.devicePath, { serial: 'TB-42', firmware: '2.1.0' })
    cleanups.push(() => thermostat.close())
    expect(await bootHello).toMatchObject({ type: 'hello', serial: 'TB-42' })

    const hello = await driver.hello()
    expect(hello).toMatchObject({ type: 'hello', protocol: 1, device: 'ThingBench thermostat simulator', firmware: '2.1.0', serial: 'TB-42' })
    expect(hello.re).toBeDefined()
  })

  it('reports: the state the thermostat reports becomes a reported event, and get returns the whole state', async () => {
    const { driver, reports } = await bench()
    await until(() => reports.length > 0, 'the first report')
    expect(reports[0]!.state).toEqual({ temperature: 20, target_temperature: 21, hvac_mode: 'heat', hvac_mode_setting: 'auto' })
    const current = await driver.get()
    expect(current.state).toMatchObject({ target_temperature: 21, hvac_mode_setting: 'auto' })
  })

  it('desired target 24 from 20: the thermostat acknowledges, heats, and reports 24 reached with the heating off', async () => {
    const { driver, reports } = await bench({ thermostat: { rate: 20, temperature: 20 } })
    await driver.sendDesired({ target_temperature: 24 })
    const heating = await until(() => reports.find((r) => r.state['target_temperature'] === 24 && r.state['hvac_mode'] === 'heat'), 'a report of heating toward 24')
    expect(heating.state['temperature']).toBeLessThan(24)
    const reached = await until(() => reports.find((r) => r.state['temperature'] === 24), 'a report of 24 reached', 5_000)
    expect(reached.state).toMatchObject({ hvac_mode: 'off', target_temperature: 24 })

    await driver.sendDelta({ hvac_mode: 'cool', target_temperature: 18 })
    await until(() => reports.find((r) => r.state['temperature'] === 18 && r.state['hvac_mode_setting'] === 'cool'), 'a report of 18 reached in cool mode', 5_000)
  })

  it('a desired value out of range is refused with bad_value naming the field, and changes nothing', async () => {
    const { driver } = await bench()
    const refusal = await driver.sendDesired({ target_temperature: 90, hvac_mode: 'heat' }).catch((error: unknown) => error)
    expect(refusal).toBeInstanceOf(JsonLinesDeviceError)
    expect((refusal as JsonLinesDeviceError).code).toBe('bad_value')
    expect((refusal as Error).message).toMatch(/refused "desired" \(id \d+\) with bad_value: target_temperature must be a number from 5 to 35, not 90/)
    expect((await driver.get()).state).toMatchObject({ target_temperature: 21, hvac_mode_setting: 'auto' })
  })

  it('garbage lines between good ones are diagnosed by line number ("line N is not JSON") and reports keep coming', async () => {
    const { driver, reports, diagnostics } = await bench({ faults: { garbageEveryMs: 50 } })
    await until(() => diagnostics.length >= 2, 'two garbage diagnostics')
    expect(diagnostics[0]).toMatchObject({ kind: 'notJson' })
    expect(diagnostics[0]!.message).toMatch(/^line \d+ is not JSON: .*; it starts "%%garbage%% not json \{"\.$/)
    expect(diagnostics.every((d) => d.kind === 'notJson')).toBe(true)
    await driver.sendDesired({ target_temperature: 22 })
    await until(() => reports.find((r) => r.state['temperature'] === 22), 'the thermostat to reach 22 amid the garbage', 5_000)
  })

  it('wrong baud rate (simulated with line noise: on a pty the baud rate does not garble bytes) is said once, with the rate to try', async () => {
    const { driver, diagnostics } = await bench({ faults: { noise: true } })
    const wrongBaud = await until(() => diagnostics.find((d) => d.kind === 'wrongBaud'), 'the wrong-baud diagnosis')
    expect(wrongBaud.message).toMatch(/^this looks like the wrong baud rate: \d+ bytes at 115200 baud with no valid line, \d+ of them not printable text\. Reopen the port at the device's rate/)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(diagnostics.filter((d) => d.kind === 'wrongBaud')).toHaveLength(1)
    // Once the baud rate is suspected, the noise is not also reported line by line.
    const after = diagnostics.slice(diagnostics.findIndex((d) => d.kind === 'wrongBaud') + 1)
    expect(after.filter((d) => d.kind === 'notText' || d.kind === 'notJson')).toEqual([])
    await expect(driver.hello()).rejects.toBeInstanceOf(JsonLinesTimeoutError)
  })

  it('a thermostat that hangs mid-conversation: the request times out with an error naming the request and its id', async () => {
    const { driver } = await bench({ faults: { silentAfterRequests: 1 } }, 500)
    await driver.hello()
    const started = Date.now()
    const error = await driver.sendDesired({ target_temperature: 23 }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(JsonLinesTimeoutError)
    expect((error as Error).message).toMatch(/^The device did not answer "desired" \(id 2\) within 500 ms: it may have stopped, reset, or be at another baud rate\.$/)
    expect(Date.now() - started).toBeGreaterThanOrEqual(480)
  })

  it('unplugging the cable mid-request fails the pending request with a "port closed" error, and later sends fail the same way at once', async () => {
    // A long timeout, so only the unplug can end the request, even on a loaded machine.
    const { driver, pair, thermostat } = await bench({ faults: { silentAfterRequests: 0 } }, 15_000)
    const closed = new Promise((resolve) => driver.once('closed', resolve))
    const pending = driver.sendDesired({ target_temperature: 23 }).catch((error: unknown) => error)
    await new Promise((resolve) => setTimeout(resolve, 50))
    await thermostat.close()
    await pair.unplug()
    const error = await pending
    expect(error).toBeInstanceOf(JsonLinesClosedError)
    expect((error as Error).message).toMatch(/^The port closed before "desired" \(id 1\) was answered.*: was the cable pulled or the board reset\?/)
    await closed
    await expect(driver.hello()).rejects.toThrow(/The port closed before "hello"/)
  })

  it('unplugging the cable while 8 KB lines are being written: every request fails at once with a closed-port or write error, none waits for its timeout', async () => {
    const { driver, pair, thermostat } = await bench({ faults: { silentAfterRequests: 0 } }, 20_000)
    const started = Date.now()
    const writes = Array.from({ length: 30 }, () => driver.sendDesired({ note: 'x'.repeat(8_000) }).then(() => 'answered', (error: Error) => error))
    await thermostat.close()
    await pair.unplug()
    const outcomes = await Promise.all(writes)
    expect(Date.now() - started).toBeLessThan(15_000)
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(Error)
      expect((outcome as Error).message).toMatch(/^(The port closed before "desired" \(id \d+\) was answered|Writing "desired" \(id \d+\) to the port failed: .+\. Is the device still plugged in\?)/)
    }
  })
})

describe('JSON lines: provisioning over the cable', () => {
  it('endpoint, certificate and key reach the thermostat, which stores them, confirms, and connects to the Local IoT Core; the key is never in the driver events or log', async () => {
    const sandbox = await startTestSandbox()
    cleanups.push(() => sandbox.stop())
    const identity = await provisionDevice(sandbox.core, sandbox.iot, 'thermostat-serial-1')
    const stateDir = mkdtempSync(join(tmpdir(), 'thingbench-thermostat-state-'))
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }))
    const { driver, logged } = await bench({ stateDir, connect: true }, 5_000)
    const seen: string[] = []
    for (const event of ['traffic', 'diagnostic', 'hello', 'reported', 'connection', 'deviceError', 'log'] as const) driver.on(event, (payload: unknown) => seen.push(JSON.stringify(payload)))

    const connection = await driver.provision(
      { endpoint: `${sandbox.core.mqttHost}:${sandbox.core.mqttPort}`, thingName: identity.thingName, certificatePem: identity.certificatePem, privateKeyPem: identity.privateKeyPem, rootCaPem: caOf(sandbox.core) },
      10_000
    )
    expect(connection, JSON.stringify(connection)).toMatchObject({ type: 'connection', state: 'connected' })
    expect(readFileSync(join(stateDir, 'private.key'), 'utf8')).toBe(identity.privateKeyPem)
    expect(statSync(join(stateDir, 'private.key')).mode & 0o077).toBe(0)

    // The device's own connection reports to its shadow in the Local IoT Core.
    const dataPlane = new IoTDataPlaneClient({ endpoint: sandbox.core.dataPlaneUrl, region: sandbox.core.region, credentials: { accessKeyId: sandbox.core.accessKeyId, secretAccessKey: sandbox.core.secretAccessKey } })
    cleanups.push(() => dataPlane.destroy())
    const shadow = await until(
      () => dataPlane.send(new GetThingShadowCommand({ thingName: identity.thingName })).then((out) => JSON.parse(new TextDecoder().decode(out.payload)) as { state: { reported?: object } }, () => undefined),
      'the thermostat to report to its shadow'
    )
    expect(shadow.state.reported).toMatchObject({ target_temperature: 21 })

    const keyBody = identity.privateKeyPem.split('\n')[1]!
    expect(seen.some((text) => text.includes('[private key,'))).toBe(true)
    expect(seen.filter((text) => text.includes(keyBody))).toEqual([])
    expect(logged.filter((text) => text.includes(keyBody))).toEqual([])
  })

  it('a key that does not match the certificate is refused with bad_value and nothing is stored', async () => {
    const sandbox = await startTestSandbox()
    cleanups.push(() => sandbox.stop())
    const one = await provisionDevice(sandbox.core, sandbox.iot, 'thermostat-serial-2')
    const other = await provisionDevice(sandbox.core, sandbox.iot, 'thermostat-serial-3')
    const stateDir = mkdtempSync(join(tmpdir(), 'thingbench-thermostat-state-'))
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }))
    const { driver } = await bench({ stateDir }, 5_000)
    const refusal = driver.provision({ endpoint: 'localhost:8883', thingName: one.thingName, certificatePem: one.certificatePem, privateKeyPem: other.privateKeyPem })
    await expect(refusal).rejects.toThrow(/refused "provision_commit" \(id \d+\) with bad_value: the private key does not match the certificate/)
    expect(() => statSync(join(stateDir, 'private.key'))).toThrow()
  })
})
