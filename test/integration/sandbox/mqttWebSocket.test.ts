import { UpdateThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import type { MqttClient } from 'mqtt'
import WebSocket from 'ws'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { dataPlaneClientFor } from '../../support/dataPlane'
import { caOf, closed, connectDevice, deviceOptions, nextMessage, provisionDevice, type Device } from '../../support/mqttDevices'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'
import { operatorOptions, presignedMqttUrl, type PresignOptions } from '../../support/webSocketOperator'

// MQTT over WebSocket with SigV4 at /mqtt, the way an operator with IAM credentials connects to AWS
// IoT: mqtt.js over wss at a URL presigned with @smithy/signature-v4. The sandbox's credentials make
// an operator that may do everything; a bad signature is refused with HTTP 403 at the upgrade, before
// any MQTT is spoken (research/mqtt-shadow.md §1.4, §3.5). Device (mTLS) connections keep their policies.

let sandbox: TestSandbox
let data: IoTDataPlaneClient
let lamp: Device
const open: MqttClient[] = []

beforeAll(async () => {
  sandbox = await startTestSandbox()
  data = dataPlaneClientFor(sandbox.core)
  lamp = await provisionDevice(sandbox.core, sandbox.iot, 'ws-lamp')
})
afterEach(() => {
  for (const client of open.splice(0)) client.end(true)
})
afterAll(async () => {
  data.destroy()
  await sandbox.stop()
})

async function connectOperator(clientId: string): Promise<MqttClient> {
  const client = await connectDevice(operatorOptions(sandbox.core, await presignedMqttUrl(sandbox.core), { clientId }))
  open.push(client)
  return client
}

/** What the server answered to a WebSocket upgrade at the URL: the status and AWS's error name, or 101. */
function upgradeAnswer(url: URL): Promise<{ status: number; errorType?: string; body?: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'mqtt', { ca: caOf(sandbox.core) })
    socket.on('open', () => {
      socket.terminate()
      resolve({ status: 101 })
    })
    socket.on('unexpected-response', (_req, res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, errorType: res.headers['x-amzn-errortype'] as string | undefined, body }))
    })
    socket.on('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error)
    })
  })
}

const presigned = (options: PresignOptions = {}): Promise<URL> => presignedMqttUrl(sandbox.core, options)

describe('MQTT over WebSocket with SigV4', () => {
  it('is served at wss://localhost:<port>/mqtt', () => {
    expect(sandbox.core.webSocketUrl).toMatch(/^wss:\/\/localhost:\d+\/mqtt$/)
    expect(new URL(sandbox.core.webSocketUrl).port).not.toBe(String(sandbox.core.mqttPort))
  })

  it("lets an operator subscribe to any thing's shadow documents and see an HTTP update", async () => {
    const operator = await connectOperator('operator-1')
    await operator.subscribeAsync('$aws/things/ws-lamp/shadow/update/documents', { qos: 1 })
    const documents = nextMessage(operator, '$aws/things/ws-lamp/shadow/update/documents')
    await data.send(new UpdateThingShadowCommand({ thingName: 'ws-lamp', payload: JSON.stringify({ state: { desired: { on: true } }, clientToken: 'http-ws-1' }) }))
    expect(await documents).toMatchObject({ current: { state: { desired: { on: true } } }, clientToken: 'http-ws-1' })
  })

  it("lets an operator update any thing's shadow over MQTT and subscribe with wildcards", async () => {
    const operator = await connectOperator('operator-2')
    await operator.subscribeAsync('$aws/things/+/shadow/update/accepted', { qos: 1 })
    const accepted = nextMessage(operator, '$aws/things/ws-other/shadow/update/accepted')
    await operator.publishAsync('$aws/things/ws-other/shadow/update', JSON.stringify({ state: { reported: { level: 4 } } }), { qos: 1 })
    expect(await accepted).toMatchObject({ state: { reported: { level: 4 } }, version: 1 })
    expect(operator.connected).toBe(true)
  })

  it('keeps the policy checks of device (mTLS) connections: the device is still disconnected for another thing', async () => {
    const device = await connectDevice(deviceOptions(sandbox.core, lamp, { clientId: 'ws-lamp' }))
    open.push(device)
    const gone = closed(device)
    device.subscribe('$aws/things/ws-other/shadow/update/accepted', { qos: 1 })
    await gone
  })

  it('keeps AWS broker rules for an operator: a reserved topic closes the connection', async () => {
    const operator = await connectOperator('operator-3')
    const gone = closed(operator)
    operator.publish('$aws/things/ws-lamp/shadow/update/accepted', '{}', { qos: 1 })
    await gone
  })

  it('answers 101 to a correctly presigned upgrade', async () => {
    expect(await upgradeAnswer(await presigned())).toEqual({ status: 101 })
  })

  it('refuses a wrong secret with HTTP 403 at the upgrade, with AWS error name', async () => {
    const answer = await upgradeAnswer(await presigned({ secretAccessKey: 'not-the-secret' }))
    expect(answer).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' })
    expect(answer.body).toContain('does not match the signature you provided')
  })

  it('refuses an unsigned upgrade, a wrong signing name and an expired URL with 403', async () => {
    const unsigned = new URL(sandbox.core.webSocketUrl)
    expect(await upgradeAnswer(unsigned)).toMatchObject({ status: 403, errorType: 'MissingAuthenticationTokenException' })
    expect(await upgradeAnswer(await presigned({ service: 'iotdata' }))).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' })
    const expired = await upgradeAnswer(await presigned({ signingDate: new Date(Date.now() - 5 * 60_000), expiresIn: 60 }))
    expect(expired).toMatchObject({ status: 403, errorType: 'InvalidSignatureException' })
    expect(expired.body).toContain('Signature expired')
  })

  it('answers 404 at a path other than /mqtt', async () => {
    expect(await upgradeAnswer(await presigned({ path: '/other' }))).toMatchObject({ status: 404, errorType: 'ResourceNotFoundException' })
  })
})
