import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SerialPort } from 'serialport'
import { afterEach, describe, expect, it } from 'vitest'
import { JsonLinesDriver } from '../../../electron/core/serial/drivers/jsonLines/jsonLinesDriver'
import type { DeviceConnection } from '../../../electron/core/serial/drivers/jsonLines/protocol'
import { thermostatOnPort } from '../../devices/thermostat/onPort'
import { caOf, provisionDevice } from '../../support/mqttDevices'
import { closeSerialPort, openSerialPort } from '../../support/serialPort'
import { openPtyPair } from '../../support/ptyPair'
import { startTestSandbox } from '../../support/sandbox'
import { until } from '../../support/until'

// The thermostat simulator as a technician uses it: one command that prints the port to open,
// and an identity that survives a restart of the "board".

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function openHost(path: string): Promise<SerialPort> {
  const port = await openSerialPort(path)
  cleanups.push(() => closeSerialPort(port))
  return port
}

describe('the thermostat simulator', () => {
  it('one command (`npm run device:thermostat`: tsx test/devices/thermostat/main.ts) prints the host-side port; ThingBench opens it and the thermostat answers; Ctrl-C unplugs it', async () => {
    const portDir = mkdtempSync(join(tmpdir(), 'thingbench-thermostat-ports-'))
    cleanups.push(() => rmSync(portDir, { recursive: true, force: true }))
    // tsx itself, as `npm run device:thermostat` runs it (npx would not pass Ctrl-C on).
    const child = spawn(join('node_modules', '.bin', 'tsx'), ['test/devices/thermostat/main.ts', '--port-dir', portDir, '--quiet', '--serial', 'TB-BENCH-7'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    cleanups.push(() => void (child.exitCode === null && child.kill('SIGTERM')))
    let printed = ''
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()))
    const hostPath = await until(() => /Open this port in ThingBench \(JSON lines, 115200 baud\):\n\s+(\S+)/.exec(printed)?.[1], 'the printed port', 20_000)
    expect(hostPath).toBe(join(portDir, 'thermostat-host'))

    const driver = new JsonLinesDriver(await openHost(hostPath))
    expect(await driver.hello()).toMatchObject({ serial: 'TB-BENCH-7', protocol: 1 })

    child.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(existsSync(hostPath)).toBe(false)
  }, 30_000)

  it('a provisioned thermostat keeps its identity in its state folder and, restarted, connects again by itself', async () => {
    const sandbox = await startTestSandbox()
    cleanups.push(() => sandbox.stop())
    const identity = await provisionDevice(sandbox.core, sandbox.iot, 'thermostat-restarted')
    const stateDir = mkdtempSync(join(tmpdir(), 'thingbench-thermostat-state-'))
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }))
    const pair = await openPtyPair('thermostat')
    cleanups.push(() => pair.close())
    const driver = new JsonLinesDriver(await openHost(pair.hostPath), { requestTimeoutMs: 5_000 })
    const connections: DeviceConnection[] = []
    driver.on('connection', (connection) => connections.push(connection))

    const first = await thermostatOnPort(pair.devicePath, { stateDir, connect: true })
    const endpoint = `${sandbox.core.mqttHost}:${sandbox.core.mqttPort}`
    await driver.provision({ endpoint, thingName: identity.thingName, certificatePem: identity.certificatePem, privateKeyPem: identity.privateKeyPem, rootCaPem: caOf(sandbox.core) }, 10_000)
    await first.close()
    connections.length = 0

    const restarted = await thermostatOnPort(pair.devicePath, { stateDir, connect: true })
    cleanups.push(() => restarted.close())
    await until(() => connections.find((c) => c.state === 'connected'), 'the restarted thermostat to connect on its own', 10_000)
    expect(connections.map((c) => c.state)).toEqual(['connecting', 'connected'])
  })
})
