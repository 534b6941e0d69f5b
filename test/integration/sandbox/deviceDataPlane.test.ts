import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import https from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { AttachPolicyCommand, CreatePolicyCommand, RegisterCertificateWithoutCACommand, UpdateCertificateCommand } from '@aws-sdk/client-iot'
import {
  DeleteThingShadowCommand,
  ForbiddenException,
  GetThingShadowCommand,
  IoTDataPlaneClient,
  ListNamedShadowsForThingCommand,
  UpdateThingShadowCommand
} from '@aws-sdk/client-iot-data-plane'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dataPlaneClientFor } from '../../support/dataPlane'
import { caOf, provisionDevice, type Device } from '../../support/mqttDevices'
import { neededTool } from '../../support/neededTool'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'
import { makeDeviceCertificateWithKey } from '../provisioning/support/deviceCertificate'

// The data plane for devices (AWS's HTTPS on 8443): mutual TLS with the device's certificate, each
// call authorised by its IoT policies, with curl and @aws-sdk/client-iot-data-plane as the device.
// Over HTTP AWS resolves no thing variables, so the seed 'shadow' policy (all `${iot:Connection.
// Thing.ThingName}`) grants nothing here: the devices also carry a policy naming their thing, as an
// HTTP device's policy on AWS must.

const curl = neededTool('curl', ['--version'])
const run = promisify(execFile)

let sandbox: TestSandbox
let lamp: Device
let kettle: Device
let home: string
let files: { ca: string; cert: string; key: string }

/** The HTTP shadow permissions on the thing's classic shadow and on its named shadow `config`. */
function httpShadowPolicy(thingName: string, region: string, accountId: string): { policyName: string; policyDocument: string } {
  const thing = `arn:aws:iot:${region}:${accountId}:thing/${thingName}`
  return {
    policyName: `${thingName}-http`,
    policyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iot:GetThingShadow', 'iot:UpdateThingShadow', 'iot:DeleteThingShadow', 'iot:ListNamedShadowsForThing'], Resource: thing },
        { Effect: 'Allow', Action: 'iot:UpdateThingShadow', Resource: `${thing}/config` }
      ]
    })
  }
}

async function withHttpPolicy(device: Device): Promise<Device> {
  const policy = httpShadowPolicy(device.thingName, sandbox.core.region, sandbox.core.accountId)
  await sandbox.iot.send(new CreatePolicyCommand(policy))
  await sandbox.iot.send(new AttachPolicyCommand({ policyName: policy.policyName, target: device.certificateArn }))
  return device
}

beforeAll(async () => {
  sandbox = await startTestSandbox()
  lamp = await withHttpPolicy(await provisionDevice(sandbox.core, sandbox.iot, 'lamp-1'))
  kettle = await withHttpPolicy(await provisionDevice(sandbox.core, sandbox.iot, 'kettle-1'))
  // curl takes files; a throwaway test key in a private temp directory, removed afterwards.
  home = await mkdtemp(join(tmpdir(), 'tb-device-https-'))
  files = { ca: sandbox.core.caCertificatePath, cert: join(home, 'lamp.crt'), key: join(home, 'lamp.key') }
  await writeFile(files.cert, lamp.certificatePem)
  await writeFile(files.key, lamp.privateKeyPem, { mode: 0o600 })
})
afterAll(async () => {
  await sandbox?.stop()
  if (home) await rm(home, { recursive: true, force: true })
})

interface CurlResult {
  status: number
  errorType: string | undefined
  body: Record<string, unknown>
}

/** curl as the device: mutual TLS with `identity` (the lamp's files unless told otherwise), trusting the sandbox CA. */
async function curlAsDevice(path: string, options: { data?: string; identity?: string[] } = {}): Promise<CurlResult> {
  const args = ['-sS', '-i', '--cacert', files.ca, ...(options.identity ?? ['--cert', files.cert, '--key', files.key])]
  if (options.data !== undefined) args.push('-X', 'POST', '--data-binary', options.data, '-H', 'content-type: application/octet-stream')
  const { stdout } = await run('curl', [...args, `${sandbox.core.deviceDataPlaneUrl}${path}`])
  const [head, ...rest] = stdout.split(/\r?\n\r?\n/)
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head!)?.[1])
  const errorType = /^x-amzn-errortype: *(.+?)\s*$/im.exec(head!)?.[1]
  const text = rest.join('\n\n')
  return { status, errorType, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

/** @aws-sdk/client-iot-data-plane as the device: its https.Agent carries the certificate; the SDK still signs, with made-up keys. */
function deviceClient(device: { certificatePem: string; privateKeyPem: string }): IoTDataPlaneClient {
  return new IoTDataPlaneClient({
    region: sandbox.core.region,
    endpoint: sandbox.core.deviceDataPlaneUrl,
    credentials: { accessKeyId: 'AKIDEVICEHASNOKEYS00', secretAccessKey: 'not-the-sandbox-secret' },
    requestHandler: { httpsAgent: new https.Agent({ cert: device.certificatePem, key: device.privateKeyPem, ca: caOf(sandbox.core) }) },
    maxAttempts: 1
  })
}

const json = (payload: Uint8Array | undefined): Record<string, unknown> => JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>

describe('the device data plane over mutual TLS', () => {
  it('is served on its own https://localhost port, apart from the SigV4 data plane', () => {
    expect(sandbox.core.deviceDataPlaneUrl).toMatch(/^https:\/\/localhost:\d+$/)
    expect(new URL(sandbox.core.deviceDataPlaneUrl).port).not.toBe(new URL(sandbox.core.dataPlaneUrl).port)
  })

  it.skipIf(curl.skip)('curl with the device certificate updates and gets its own shadow', async () => {
    curl.assertPresent()
    const updated = await curlAsDevice('/things/lamp-1/shadow', { data: JSON.stringify({ state: { reported: { on: true } } }) })
    expect(updated).toMatchObject({ status: 200, body: { state: { reported: { on: true } }, version: 1 } })
    const got = await curlAsDevice('/things/lamp-1/shadow')
    expect(got).toMatchObject({ status: 200, body: { state: { reported: { on: true } }, version: 1 } })
    // An IAM caller on the SigV4 data plane sees the same shadow.
    const operator = dataPlaneClientFor(sandbox.core)
    const seen = await operator.send(new GetThingShadowCommand({ thingName: 'lamp-1' }))
    operator.destroy()
    expect(json(seen.payload)).toMatchObject({ state: { reported: { on: true } }, version: 1 })
  })

  it.skipIf(curl.skip)("refuses another thing's shadow with 403 ForbiddenException and changes nothing", async () => {
    curl.assertPresent()
    const refused = await curlAsDevice('/things/kettle-1/shadow', { data: JSON.stringify({ state: { reported: { hot: true } } }) })
    expect(refused).toMatchObject({ status: 403, errorType: 'ForbiddenException' })
    expect(refused.body['message']).toMatch(/may not iot:UpdateThingShadow on arn:aws:iot:us-east-1:\d{12}:thing\/kettle-1/)
    expect(await curlAsDevice('/things/kettle-1/shadow')).toMatchObject({ status: 403, errorType: 'ForbiddenException' })
    const kettleClient = deviceClient(kettle)
    await expect(kettleClient.send(new GetThingShadowCommand({ thingName: 'kettle-1' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
    kettleClient.destroy()
  })

  it.skipIf(curl.skip)('refuses a client that presents no certificate', async () => {
    curl.assertPresent()
    const refused = await curlAsDevice('/things/lamp-1/shadow', { identity: [] })
    expect(refused).toMatchObject({ status: 403, errorType: 'ForbiddenException' })
    expect(refused.body['message']).toMatch(/no certificate/)
  })

  it('refuses an INACTIVE certificate, and serves it again once ACTIVE', async () => {
    const heater = await withHttpPolicy(await provisionDevice(sandbox.core, sandbox.iot, 'heater-1'))
    const client = deviceClient(heater)
    await sandbox.iot.send(new UpdateCertificateCommand({ certificateId: heater.certificateId, newStatus: 'INACTIVE' }))
    const refused = await client.send(new UpdateThingShadowCommand({ thingName: 'heater-1', payload: JSON.stringify({ state: { reported: { t: 1 } } }) })).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ForbiddenException)
    expect((refused as Error).message).toMatch(new RegExp(`certificate ${heater.certificateId} is INACTIVE`))
    await sandbox.iot.send(new UpdateCertificateCommand({ certificateId: heater.certificateId, newStatus: 'ACTIVE' }))
    const accepted = await client.send(new UpdateThingShadowCommand({ thingName: 'heater-1', payload: JSON.stringify({ state: { reported: { t: 1 } } }) }))
    expect(json(accepted.payload)).toMatchObject({ version: 1 })
    client.destroy()
  })

  it('refuses a device whose only policy is the seed shadow policy: its thing variables do not resolve over HTTP', async () => {
    const plug = await provisionDevice(sandbox.core, sandbox.iot, 'plug-1')
    const client = deviceClient(plug)
    const refused = await client.send(new GetThingShadowCommand({ thingName: 'plug-1' })).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ForbiddenException)
    expect((refused as Error).message).toMatch(/no statement of its policies allows it/)
    client.destroy()
  })
})

describe('@aws-sdk/client-iot-data-plane with the device certificate in its https.Agent', () => {
  it('gets, updates, lists and deletes its own shadows though it signs with keys the sandbox does not know', async () => {
    const client = deviceClient(kettle)
    const updated = await client.send(new UpdateThingShadowCommand({ thingName: 'kettle-1', payload: JSON.stringify({ state: { desired: { hot: true } } }) }))
    expect(json(updated.payload)).toMatchObject({ state: { desired: { hot: true } }, version: 1 })
    const got = await client.send(new GetThingShadowCommand({ thingName: 'kettle-1' }))
    expect(json(got.payload)).toMatchObject({ state: { desired: { hot: true }, delta: { hot: true } } })
    await client.send(new UpdateThingShadowCommand({ thingName: 'kettle-1', shadowName: 'config', payload: JSON.stringify({ state: { reported: { unit: 'C' } } }) }))
    const listed = await client.send(new ListNamedShadowsForThingCommand({ thingName: 'kettle-1' }))
    expect(listed.results).toEqual(['config'])
    await client.send(new DeleteThingShadowCommand({ thingName: 'kettle-1' }))
    await expect(client.send(new GetThingShadowCommand({ thingName: 'kettle-1' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
    client.destroy()
  })

  it('is refused a named shadow its policy does not name, and anything an explicit Deny covers', async () => {
    const client = deviceClient(lamp)
    const otherShadow = client.send(new UpdateThingShadowCommand({ thingName: 'lamp-1', shadowName: 'secrets', payload: JSON.stringify({ state: { reported: { a: 1 } } }) }))
    await expect(otherShadow).rejects.toBeInstanceOf(ForbiddenException)
    const deny = {
      policyName: 'no-deletes',
      policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iot:DeleteThingShadow', Resource: '*' }] })
    }
    await sandbox.iot.send(new CreatePolicyCommand(deny))
    await sandbox.iot.send(new AttachPolicyCommand({ policyName: deny.policyName, target: lamp.certificateArn }))
    const refused = await client.send(new DeleteThingShadowCommand({ thingName: 'lamp-1' })).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ForbiddenException)
    expect((refused as Error).message).toMatch(/policy no-deletes denies it explicitly/)
    // The allowed operations still work: the Deny covers deletes only.
    await expect(client.send(new GetThingShadowCommand({ thingName: 'lamp-1' }))).resolves.toBeDefined()
    client.destroy()
  })

  it('serves a certificate registered without a CA (a factory certificate)', async () => {
    const factory = await makeDeviceCertificateWithKey({ commonName: 'factory-fan' })
    const registered = await sandbox.iot.send(new RegisterCertificateWithoutCACommand({ certificatePem: factory.certificatePem, status: 'ACTIVE' }))
    const policy = httpShadowPolicy('fan-1', sandbox.core.region, sandbox.core.accountId)
    await sandbox.iot.send(new CreatePolicyCommand(policy))
    await sandbox.iot.send(new AttachPolicyCommand({ policyName: policy.policyName, target: registered.certificateArn! }))
    const client = deviceClient(factory)
    const updated = await client.send(new UpdateThingShadowCommand({ thingName: 'fan-1', payload: JSON.stringify({ state: { reported: { rpm: 900 } } }) }))
    expect(json(updated.payload)).toMatchObject({ version: 1 })
    client.destroy()
  })
})
