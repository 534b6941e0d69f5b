import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { GetThingShadowCommand, IoTDataPlaneClient, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeCertificateBundle } from '../../../electron/core/certificates'
import { Journal, provision, validatePlan } from '../../../electron/core/provisioning'
import { osKeychain, Vault } from '../../../electron/core/vault'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'

// Debian's mosquitto_sub / mosquitto_pub as the device, with the AWS console bundle ThingBench
// writes for `provision --out` (the private key straight from the vault), against the device
// gateway: the thing is provisioned by core's engine with the seed 'shadow' policy. Runs inside
// scripts/with-keyring.sh (the vault needs the Secret Service).

const thingName = 'lamp-mosq'
let sandbox: TestSandbox
let home: string
let vault: Vault
let files: { ca: string; cert: string; key: string }
let data: IoTDataPlaneClient

beforeAll(async () => {
  sandbox = await startTestSandbox()
  home = await mkdtemp(join(tmpdir(), 'tb-mosquitto-'))
  vault = await Vault.open(join(home, 'vault.json'), osKeychain())
  const journal = await Journal.open(join(home, 'journal'))
  const checked = validatePlan({ thingName })
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
  const result = await provision(checked.plan, { iot: sandbox.iot, vault, journal, connection: { kind: 'local' } })
  const certificateId = result.certificateId!
  const privateKeyPem = (await vault.get(certificateId)) ?? undefined
  const { readFile } = await import('node:fs/promises')
  const caPem = await readFile(sandbox.core.caCertificatePath, 'utf8')
  const bundleDir = join(home, 'bundle')
  await writeCertificateBundle(bundleDir, {
    certificateId,
    certificatePem: result.certificatePem!,
    privateKeyPem,
    extraCaFiles: [{ fileName: 'LocalIoTCoreRootCA.pem', pem: caPem }]
  })
  files = {
    ca: join(bundleDir, 'LocalIoTCoreRootCA.pem'),
    cert: join(bundleDir, `${certificateId}-certificate.pem.crt`),
    key: join(bundleDir, `${certificateId}-private.pem.key`)
  }
  data = new IoTDataPlaneClient({
    region: sandbox.core.region,
    endpoint: sandbox.core.dataPlaneUrl,
    credentials: { accessKeyId: sandbox.core.accessKeyId, secretAccessKey: sandbox.core.secretAccessKey },
    maxAttempts: 1
  })
})
afterAll(async () => {
  data?.destroy()
  await sandbox?.stop()
  if (vault) await osKeychain().deleteSecret(vault.keychainAccount).catch(() => false)
  if (home) await rm(home, { recursive: true, force: true })
})

function connectionArgs(clientId: string): string[] {
  return ['--cafile', files.ca, '--cert', files.cert, '--key', files.key, '-h', sandbox.core.mqttHost, '-p', String(sandbox.core.mqttPort), '-i', clientId, '-V', 'mqttv311']
}

describe('mosquitto clients with the exported bundle', () => {
  it('mosquitto_sub receives the delta of an operator update; mosquitto_pub reports the state', async () => {
    const topic = `$aws/things/${thingName}/shadow/update/delta`
    // Line-buffered (stdbuf), so the SUBACK line arrives while it waits rather than at its exit.
    const sub = spawn('stdbuf', ['-oL', 'mosquitto_sub', ...connectionArgs(thingName), '-t', topic, '-q', '1', '-C', '1', '-W', '10', '-d'], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stderr = ''
    sub.stderr.on('data', (d) => (stderr += d))
    const lines: string[] = []
    const exited = once(sub, 'close')
    const subscribed = new Promise<void>((resolve, reject) => {
      createInterface({ input: sub.stdout }).on('line', (line) => {
        lines.push(line)
        if (line.includes('received SUBACK')) resolve()
      })
      void exited.then(() => reject(new Error(`mosquitto_sub exited before subscribing: ${lines.join('\n')} ${stderr}`)))
    })
    await subscribed
    await data.send(new UpdateThingShadowCommand({ thingName, payload: JSON.stringify({ state: { desired: { on: true } } }) }))
    const [code] = await exited
    expect(code, `${lines.join('\n')}\n${stderr}`).toBe(0)
    const delta = JSON.parse(lines.find((line) => line.startsWith('{'))!) as Record<string, unknown>
    expect(delta).toMatchObject({ state: { on: true }, version: 1 })

    const pub = spawn(
      'mosquitto_pub',
      [...connectionArgs(thingName), '-t', `$aws/things/${thingName}/shadow/update`, '-q', '1', '-m', JSON.stringify({ state: { reported: { on: true } } })],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    )
    const [pubCode] = await once(pub, 'close')
    expect(pubCode).toBe(0)
    const got = await data.send(new GetThingShadowCommand({ thingName }))
    expect(JSON.parse(new TextDecoder().decode(got.payload))).toMatchObject({ state: { desired: { on: true }, reported: { on: true } }, version: 2 })
  })

  it('mosquitto_sub is refused under another client id', async () => {
    const sub = spawn('mosquitto_sub', [...connectionArgs('someone-else'), '-t', 'anything', '-C', '1', '-W', '5'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    sub.stderr.on('data', (d) => (stderr += d))
    const [code] = await once(sub, 'close')
    expect(code).not.toBe(0)
    expect(stderr).toMatch(/connection lost|protocol error|lost/i)
  })
})
