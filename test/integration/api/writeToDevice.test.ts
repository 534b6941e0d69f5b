import { createPrivateKey } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import type { DeviceWriteProgress, MethodArgs } from '../../../electron/contract'
import { writeIdentityToDevice } from '../../../electron/core/onboarding/jsonLinesProvisioning'
import { PortNames, SerialPorts } from '../../../electron/core/serial'
import { startTestApi, type TestApi } from '../../support/apiBackend'
import { thermostatOnPort, type RunningThermostat } from '../../devices/thermostat/onPort'
import type { ThermostatDeviceOptions } from '../../devices/thermostat/thermostatDevice'
import { openPtyPair, type PtyPair } from '../../support/ptyPair'
import { until } from '../../support/until'
import { makeDeviceCertificateWithKey, pemBodyLines } from '../provisioning/support/deviceCertificate'
import { rejectionOf } from '../../support/refusal'

// provisioning.writeToDevice through the contract: a thing provisioned in the real Local IoT Core,
// the thermostat simulator on a socat pty as the board, the port taken from the app's SerialPorts.
// The board then connects over MQTT with what it was given, and reports to its shadow.

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface World {
  t: TestApi
  pair: PtyPair
  board: RunningThermostat
  /** Every line the board received, as it received it (a test device, so the key is here too). */
  heard: string[]
  progress: DeviceWriteProgress[]
  /** Everything the UI side received: answers are added by the tests, events here. */
  toUi: unknown[]
}

async function world(board: ThermostatDeviceOptions = { connect: true }): Promise<World> {
  const t = await startTestApi()
  cleanups.push(() => t.close())
  const pair = await openPtyPair('board')
  cleanups.push(() => pair.close())
  const heard: string[] = []
  const running = await thermostatOnPort(pair.devicePath, { reportEveryMs: 60_000, ...board, onLine: (direction, text) => direction === 'in' && heard.push(text) })
  cleanups.push(() => running.close())
  const progress: DeviceWriteProgress[] = []
  const toUi: unknown[] = []
  t.api.on('provisioning.deviceWrite', (p) => void progress.push(p))
  for (const event of ['provisioning.deviceWrite', 'provisioning.progress', 'serial.data', 'serial.portsChanged', 'serial.portState'] as const) t.api.on(event, (p) => void toUi.push(p))
  return { t, pair, board: running, heard, progress, toUi }
}

async function provisioned(t: TestApi, plan: MethodArgs<'provisioning.run'>['plan']): Promise<{ thingName: string; certificateId: string }> {
  const outcome = await t.api.call('provisioning.run', { plan })
  if (outcome.outcome !== 'provisioned') throw new Error(`not provisioned: ${JSON.stringify(outcome)}`)
  return { thingName: outcome.result.thingName, certificateId: outcome.result.certificateId }
}

/** The lines of a key as the vault holds it and as the board receives it (PKCS#8). */
function keyLines(pem: string): string[] {
  const pkcs8 = createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString()
  return [...pemBodyLines(pem), ...pemBodyLines(pkcs8)].filter((line) => line.length >= 16)
}

function expectNoKey(text: string, lines: string[], where: string): void {
  expect(text, `${where} carries a PEM private key`).not.toMatch(/PRIVATE KEY/)
  for (const line of lines) expect(text.includes(line), `${where} carries a line of the private key`).toBe(false)
}

const stepsOf = (progress: DeviceWriteProgress[]): string[] => progress.map((p) => `${p.step}:${p.status}`)

describe('provisioning.writeToDevice', () => {
  it.each([
    ['a key made on this machine (CSR)', { mode: 'csr' as const, keyAlgorithm: 'ec' as const }],
    ['a key AWS generated', { mode: 'aws' as const }]
  ])('writes the identity of a thing with %s to the board, which connects to the Local IoT Core and reports to its shadow; no key reaches the UI or the log', async (_, certificate) => {
    const { t, pair, heard, progress, toUi } = await world()
    const thing = await provisioned(t, { thingName: `written-${certificate.mode}`, certificate })

    const result = await t.api.call('provisioning.writeToDevice', { portPath: pair.hostPath, ...thing })
    const local = await t.session.localIotCore()
    expect(result).toMatchObject({
      portPath: pair.hostPath,
      ...thing,
      endpoint: `${local.mqttHost}:${local.mqttPort}`,
      device: { model: 'ThingBench thermostat simulator', serial: 'TB-THERMO-0001' },
      connection: { state: 'connected' }
    })
    expect(stepsOf(progress)).toEqual([
      'hello:started', 'hello:done', 'wifiSsid:skipped', 'wifiPassphrase:skipped', 'endpoint:started', 'endpoint:done', 'thingName:started', 'thingName:done',
      'certificate:started', 'certificate:done', 'privateKey:started', 'privateKey:done', 'rootCa:started', 'rootCa:done', 'commit:started', 'commit:done',
      'connect:started', 'connect:done'
    ])
    expect(progress.find((p) => p.step === 'wifiSsid')?.detail).toBe('no Wi-Fi network given: the board keeps its own')
    expect(progress.find((p) => p.step === 'privateKey' && p.status === 'done')?.detail).toMatch(/^\d+ characters, not shown$/)

    // The board's own MQTT connection works: its report lands in the thing's shadow in the sandbox.
    const shadow = await until(async () => {
      const got = await t.api.call('shadow.get', { thingName: thing.thingName }).catch(() => undefined)
      return got && typeof got.state.reported?.['temperature'] === 'number' ? got : undefined
    }, "the board's report in its shadow")
    expect(shadow.state.reported).toMatchObject({ hvac_mode: expect.any(String) })

    // The key went to the board (and only there): the board got it as PKCS#8.
    const vaultKey = (await t.session.vault.get(thing.certificateId))!
    const lines = keyLines(vaultKey)
    expect(heard.some((line) => line.includes('"item":"privateKey"') && line.includes('BEGIN PRIVATE KEY'))).toBe(true)
    expectNoKey(JSON.stringify(result), lines, 'the result')
    expectNoKey(JSON.stringify(toUi), lines, 'an event')
    const logFile = t.session.log.currentFile()
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''
    expect(log).toContain('identity written to the device, which connected')
    expectNoKey(log, lines, 'the log')

    // The port is free again: the serial monitor can open it.
    expect((await t.api.call('serial.open', { path: pair.hostPath, baudRate: 115_200 })).heldBy).toBe('serial monitor')
  }, 60_000)

  it('a board whose hello lacks the "provision" capability is refused in words, and nothing is written to it', async () => {
    const { t, pair, heard, progress } = await world({ connect: true, capabilities: [] })
    const thing = await provisioned(t, { thingName: 'no-capability' })
    const failure = await rejectionOf(t.api.call('provisioning.writeToDevice', { portPath: pair.hostPath, ...thing }))
    expect(failure.errorName).toBe('NoProvisionCapability')
    expect(failure.message).toBe(
      `ThingBench thermostat simulator 1.0.0 (serial TB-THERMO-0001) on ${pair.hostPath} does not list "provision" in its hello's capabilities: its firmware cannot take an identity over the cable (docs/serial-json-lines.md §3). Nothing was written to it.`
    )
    expect(heard.map((line) => JSON.parse(line).type)).toEqual(['hello'])
    expect(stepsOf(progress)).toEqual(['hello:started', 'hello:failed'])
  }, 60_000)

  it('with a Wi-Fi network, a board that lists "wifi" is given the SSID and passphrase before the commit and connects; the passphrase is in no event, result or log line', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'tb-board-flash-'))
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }))
    const { t, pair, heard, progress, toUi } = await world({ connect: true, stateDir })
    const thing = await provisioned(t, { thingName: 'written-wifi' })
    const wifi = { ssid: 'bench-wifi', passphrase: 'correct horse battery' }
    const result = await t.api.call('provisioning.writeToDevice', { portPath: pair.hostPath, ...thing, wifi })

    expect(result).toMatchObject({ wifiSsid: 'bench-wifi', connection: { state: 'connected' } })
    expect(stepsOf(progress).filter((s) => s.startsWith('wifi'))).toEqual(['wifiSsid:started', 'wifiSsid:done', 'wifiPassphrase:started', 'wifiPassphrase:done'])
    expect(progress.find((p) => p.step === 'wifiPassphrase' && p.status === 'done')?.detail).toBe('21 characters, not shown')
    expect(heard.some((line) => line.includes('"item":"wifiPassphrase"') && line.includes('correct horse battery'))).toBe(true)
    // The board's flash holds the network with its identity.
    expect(JSON.parse(readFileSync(join(stateDir, 'identity.json'), 'utf8'))).toMatchObject({ thingName: 'written-wifi', wifiSsid: 'bench-wifi' })
    expect(readFileSync(join(stateDir, 'wifi-passphrase'), 'utf8')).toBe('correct horse battery')
    expect(JSON.stringify(result) + JSON.stringify(toUi)).not.toContain('correct horse')
    const logFile = t.session.log.currentFile()
    expect(existsSync(logFile) ? readFileSync(logFile, 'utf8') : '').not.toContain('correct horse')
  }, 60_000)

  it('a Wi-Fi network for firmware without "wifi" is refused at the hello, before anything is written', async () => {
    const { t, pair, heard, progress } = await world({ connect: true, capabilities: ['provision'] })
    const thing = await provisioned(t, { thingName: 'wired-board' })
    const failure = await rejectionOf(t.api.call('provisioning.writeToDevice', { portPath: pair.hostPath, ...thing, wifi: { ssid: 'bench-wifi', passphrase: 'pw-12345678' } }))
    expect(failure.errorName).toBe('NoWifiCapability')
    expect(failure.message).toContain('does not list "wifi" in its hello\'s capabilities: its firmware cannot take a Wi-Fi network over the cable')
    expect(failure.message).toContain('Leave the Wi-Fi network empty for a board that has its own. Nothing was written to it.')
    expect(stepsOf(progress)).toEqual(['hello:started', 'hello:failed'])
    expect(heard.map((line) => JSON.parse(line).type)).toEqual(['hello'])
  }, 60_000)

  it('a board that does not answer is refused in words, nothing is written to it, and the port is let go', async () => {
    const { t, pair, heard } = await world({ connect: true, faults: { silentAfterRequests: 0 } })
    const thing = await provisioned(t, { thingName: 'silent-board' })
    const failure = await rejectionOf(t.api.call('provisioning.writeToDevice', { portPath: pair.hostPath, ...thing }))
    expect(failure.errorName).toBe('DeviceNotAnswering')
    expect(failure.message).toMatch(new RegExp(`^The device on ${pair.hostPath} did not answer ThingBench's hello within 3000 ms: .+ Nothing was written to it\\.$`))
    // The hello, then one AT (is it an ExpressLink module?), and nothing else.
    expect(heard.map((line) => (line.startsWith('{') ? JSON.parse(line).type : line))).toEqual(['hello', 'AT'])
    expect((await t.api.call('serial.list', {})).ports.find((p) => p.path === pair.hostPath)?.heldBy).toBeUndefined()
  }, 60_000)

  it('a board that stores the identity but cannot connect (no policy on the certificate) fails with the board\'s own detail', async () => {
    const { t, pair, progress } = await world()
    const thing = await provisioned(t, { thingName: 'no-policy', policy: { mode: 'none' } })
    const failure = await rejectionOf(t.api.call('provisioning.writeToDevice', { portPath: pair.hostPath, ...thing }))
    expect(failure.errorName).toBe('DeviceConnectFailed')
    expect(failure.message).toMatch(/^The device stored its new identity but could not connect to .+ as no-policy: .+\. Check the board's network/)
    expect(stepsOf(progress).slice(-3)).toEqual(['commit:done', 'connect:started', 'connect:failed'])
  }, 60_000)

  it('a board that takes the identity but never says whether it connected gets a timeout that says it stored the identity', async () => {
    const { t, pair, progress } = await world({ connect: true, faults: { silentAfterCommit: true } })
    const thing = await provisioned(t, { thingName: 'silent-after-commit' })
    // Core directly, for a short wait: the contract gives a board the protocol's 30 s.
    const ports = new SerialPorts({ names: await PortNames.open(join(t.home, 'core-serial-ports.json')), pollMs: 100 })
    cleanups.push(() => ports.close())
    const failure = await rejectionOf(
      writeIdentityToDevice(
        { portPath: pair.hostPath, ...thing, endpoint: '127.0.0.1:8883' },
        { iot: await t.session.iotClient({ kind: 'local' }), vault: t.session.vault, ports, connectTimeoutMs: 500, onProgress: (p) => void progress.push(p) }
      )
    )
    expect(failure.errorName).toBe('DeviceConnectTimeout')
    expect(failure.message).toBe(
      'The device stored its identity but did not say whether it connected within 500 ms: check its network and the endpoint (it was to connect to 127.0.0.1:8883 as silent-after-commit).'
    )
    expect(stepsOf(progress).slice(-3)).toEqual(['commit:started', 'commit:done', 'connect:failed'])
  }, 60_000)

  it('a board that refuses the commit (its flash failed) is reported in its words, and it keeps its old identity', async () => {
    const { t, pair, progress } = await world({ connect: true, faults: { failCommitWith: { code: 'storage_failed', message: 'flash write failed' } } })
    const thing = await provisioned(t, { thingName: 'flash-broken' })
    const failure = await rejectionOf(t.api.call('provisioning.writeToDevice', { portPath: pair.hostPath, ...thing }))
    expect(failure.errorName).toBe('DeviceRefused')
    expect(failure.message).toBe('The device could not write its identity to its flash (storage_failed): flash write failed. The device keeps the identity it had before.')
    expect(stepsOf(progress).slice(-2)).toEqual(['commit:started', 'commit:failed'])
  }, 60_000)

  it('a certificate whose key stays on the device (an existing certificate, key not kept) is refused before the port is opened', async () => {
    const { t, pair, heard, progress } = await world()
    const device = await makeDeviceCertificateWithKey({ commonName: 'own-key' })
    const thing = await provisioned(t, { thingName: 'own-key', certificate: { mode: 'existing', certificatePem: device.certificatePem }, policy: { mode: 'none' } })
    const failure = await rejectionOf(t.api.call('provisioning.writeToDevice', { portPath: pair.hostPath, ...thing }))
    expect(failure.errorName).toBe('KeyNotInVault')
    expect(failure.message).toContain(`holds no private key for certificate ${thing.certificateId}`)
    expect(heard).toEqual([])
    expect(progress).toEqual([])
  }, 60_000)

  it('bad arguments are refused by the schema, naming the field', async () => {
    const { t } = await world()
    const failure = await rejectionOf(t.api.call('provisioning.writeToDevice', { portPath: 'ttyUSB0', thingName: 'x', certificateId: 'abc' }))
    expect(failure.message).toMatch(/portPath/)
    expect(failure.message).toMatch(/certificateId/)
  }, 30_000)
})
