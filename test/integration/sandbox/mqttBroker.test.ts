import { connect as tcpConnect } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { once } from 'node:events'
import {
  AttachPolicyCommand,
  DescribeEndpointCommand,
  RegisterCertificateWithoutCACommand,
  UpdateCertificateCommand
} from '@aws-sdk/client-iot'
import { IoTDataPlaneClient, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'
import {
  ALLOW_ALL,
  caOf,
  closed,
  connectDevice,
  connectOutcome,
  deviceOptions,
  messagesWithin,
  nextEvent,
  nextMessage,
  provisionDevice,
  type Device
} from '../../support/mqttDevices'
import { makeDeviceCertificateWithKey } from '../provisioning/support/deviceCertificate'

// The Local IoT Core's device gateway with mqtt.js (MQTT 3.1.1 over mutual TLS): a device provisioned
// with the seed 'shadow' policy works its own shadow and is refused everything else the way AWS
// refuses it (research/mqtt-shadow.md §2): no CONNACK for a refused CONNECT, the connection closed
// for a refused PUBLISH or SUBSCRIBE.

let sandbox: TestSandbox
let lamp: Device
let operator: Device
const open: MqttClient[] = []

beforeAll(async () => {
  sandbox = await startTestSandbox()
  lamp = await provisionDevice(sandbox.core, sandbox.iot, 'lamp-1')
  operator = await provisionDevice(sandbox.core, sandbox.iot, 'operator-1', ALLOW_ALL)
})
afterEach(() => {
  for (const client of open.splice(0)) client.end(true)
})
afterAll(async () => {
  await sandbox.stop()
})

async function connectAs(device: { certificatePem: string; privateKeyPem: string }, clientId: string, extra = {}): Promise<MqttClient> {
  const client = await connectDevice(deviceOptions(sandbox.core, device, { clientId, ...extra }))
  open.push(client)
  return client
}

const shadow = (thing: string, rest: string): string => `$aws/things/${thing}/shadow/${rest}`

describe('a device with the seed shadow policy', () => {
  it('gets and updates its own shadow: accepted, delta, documents and rejected with AWS bodies, clientToken echoed', async () => {
    const device = await connectAs(lamp, 'lamp-1')
    await device.subscribeAsync(
      ['get/accepted', 'get/rejected', 'update/accepted', 'update/rejected', 'update/delta', 'update/documents'].map((s) => shadow('lamp-1', s)),
      { qos: 1 }
    )

    const missing = nextMessage(device, shadow('lamp-1', 'get/rejected'))
    await device.publishAsync(shadow('lamp-1', 'get'), JSON.stringify({ clientToken: 'get-1' }), { qos: 1 })
    expect(await missing).toMatchObject({ code: 404, message: "No shadow exists with name: 'lamp-1'", clientToken: 'get-1' })

    const accepted = nextMessage(device, shadow('lamp-1', 'update/accepted'))
    const delta = nextMessage(device, shadow('lamp-1', 'update/delta'))
    const documents = nextMessage(device, shadow('lamp-1', 'update/documents'))
    await device.publishAsync(shadow('lamp-1', 'update'), JSON.stringify({ state: { desired: { color: 'red' } }, clientToken: 'up-1' }), { qos: 1 })
    expect(await accepted).toMatchObject({ state: { desired: { color: 'red' } }, version: 1, clientToken: 'up-1' })
    expect(await delta).toMatchObject({ state: { color: 'red' }, version: 1, clientToken: 'up-1' })
    expect(await documents).toMatchObject({ current: { state: { desired: { color: 'red' } }, version: 1 }, clientToken: 'up-1' })

    const got = nextMessage(device, shadow('lamp-1', 'get/accepted'))
    await device.publishAsync(shadow('lamp-1', 'get'), '', { qos: 1 })
    expect(await got).toMatchObject({ state: { desired: { color: 'red' }, delta: { color: 'red' } }, version: 1 })

    const conflict = nextMessage(device, shadow('lamp-1', 'update/rejected'))
    await device.publishAsync(shadow('lamp-1', 'update'), JSON.stringify({ state: { reported: { color: 'red' } }, version: 7, clientToken: 'up-2' }), { qos: 1 })
    expect(await conflict).toMatchObject({ code: 409, message: 'Version conflict', clientToken: 'up-2' })

    const invalid = nextMessage(device, shadow('lamp-1', 'update/rejected'))
    await device.publishAsync(shadow('lamp-1', 'update'), '{not json', { qos: 1 })
    expect(await invalid).toMatchObject({ code: 400, message: 'Invalid JSON' })
    expect(device.connected).toBe(true)
  })

  it('gets the delta of an update made over the HTTP data plane', async () => {
    const device = await connectAs(lamp, 'lamp-1')
    await device.subscribeAsync(shadow('lamp-1', 'update/delta'), { qos: 1 })
    const delta = nextMessage(device, shadow('lamp-1', 'update/delta'))
    const data = new IoTDataPlaneClient({
      region: sandbox.core.region,
      endpoint: sandbox.core.dataPlaneUrl,
      credentials: { accessKeyId: sandbox.core.accessKeyId, secretAccessKey: sandbox.core.secretAccessKey },
      maxAttempts: 1
    })
    await data.send(new UpdateThingShadowCommand({ thingName: 'lamp-1', payload: JSON.stringify({ state: { desired: { level: 3 } }, clientToken: 'http-1' }) }))
    data.destroy()
    expect(await delta).toMatchObject({ state: { level: 3 }, clientToken: 'http-1' })
  })

  it("is disconnected for publishing to another thing's shadow, and for subscribing to it", async () => {
    const publisher = await connectAs(lamp, 'lamp-1')
    const gone = closed(publisher)
    publisher.publish(shadow('lamp-2', 'update'), JSON.stringify({ state: { desired: { on: true } } }), { qos: 1 })
    await gone

    const subscriber = await connectAs(lamp, 'lamp-1')
    const goneToo = closed(subscriber)
    subscriber.subscribe(shadow('lamp-2', 'update/accepted'), { qos: 1 })
    await goneToo
  })

  it('is refused without CONNACK under a client id that is not its thing name', async () => {
    expect(await connectOutcome(deviceOptions(sandbox.core, lamp, { clientId: 'lamp-2' }))).toBe('closed')
    expect(await connectOutcome(deviceOptions(sandbox.core, lamp, { clientId: '$lamp-1' }))).toBe('closed')
  })
})

describe('the endpoint', () => {
  it('DescribeEndpoint answers the broker host for iot:Data-ATS and iot:Data', async () => {
    for (const endpointType of ['iot:Data-ATS', 'iot:Data'])
      expect((await sandbox.iot.send(new DescribeEndpointCommand({ endpointType }))).endpointAddress).toBe(sandbox.core.mqttHost)
    expect(sandbox.core.mqttHost).toBe('localhost')
    expect(sandbox.core.mqttPort).toBeGreaterThan(0)
  })
})

describe('certificates', () => {
  it('refuses an unknown certificate and no certificate at all; admits one registered without a CA', async () => {
    const stranger = await makeDeviceCertificateWithKey({ commonName: 'stranger' })
    expect(await connectOutcome(deviceOptions(sandbox.core, stranger, { clientId: 'stranger-1' }))).toBe('closed')
    const { cert: _cert, key: _key, ...anonymous } = deviceOptions(sandbox.core, stranger, { clientId: 'stranger-1' })
    expect(await connectOutcome(anonymous)).toBe('closed')

    const registered = await sandbox.iot.send(new RegisterCertificateWithoutCACommand({ certificatePem: stranger.certificatePem, status: 'ACTIVE' }))
    await sandbox.iot.send(new AttachPolicyCommand({ policyName: ALLOW_ALL.policyName, target: registered.certificateArn! }))
    expect(await connectOutcome(deviceOptions(sandbox.core, stranger, { clientId: 'stranger-1' }))).toBe('connected')
  })

  it('refuses an INACTIVE certificate and disconnects a certificate made INACTIVE while connected', async () => {
    const kettle = await provisionDevice(sandbox.core, sandbox.iot, 'kettle-1')
    const device = await connectAs(kettle, 'kettle-1')
    const gone = closed(device)
    await sandbox.iot.send(new UpdateCertificateCommand({ certificateId: kettle.certificateId, newStatus: 'INACTIVE' }))
    await gone
    expect(await connectOutcome(deviceOptions(sandbox.core, kettle, { clientId: 'kettle-1' }))).toBe('closed')
    await sandbox.iot.send(new UpdateCertificateCommand({ certificateId: kettle.certificateId, newStatus: 'ACTIVE' }))
    expect(await connectOutcome(deviceOptions(sandbox.core, kettle, { clientId: 'kettle-1' }))).toBe('connected')
  })
})

describe("AWS IoT's broker rules", () => {
  it('closes the connection for QoS 2 publishes and subscriptions', async () => {
    const publisher = await connectAs(operator, 'operator-1')
    const gone = closed(publisher)
    publisher.publish('bench/qos2', 'x', { qos: 2 })
    await gone
    const subscriber = await connectAs(operator, 'operator-1')
    const goneToo = closed(subscriber)
    subscriber.subscribe('bench/qos2', { qos: 2 })
    await goneToo
  })

  it('closes the connection for a payload over 128 KB, a topic over 256 bytes or 7 slashes, and a reserved topic', async () => {
    const cases: Array<[string, string | Buffer]> = [
      ['bench/big', Buffer.alloc(128 * 1024 + 1)],
      [`bench/${'x'.repeat(251)}`, 'x'],
      ['a/b/c/d/e/f/g/h/i', 'x'],
      ['$SYS/anything', 'x'],
      [shadow('operator-1', 'update/accepted'), '{}']
    ]
    for (const [topic, payload] of cases) {
      const client = await connectAs(operator, 'operator-1')
      const gone = closed(client)
      client.publish(topic, payload, { qos: 1 })
      await gone
    }
    const fine = await connectAs(operator, 'operator-1')
    await fine.publishAsync('bench/fine', Buffer.alloc(128 * 1024), { qos: 1 })
    await fine.publishAsync('a/b/c/d/e/f/g/h', 'x', { qos: 1 })
  })

  it('delivers a retained message only to a filter equal to its topic, and `a/#` does not match `a`', async () => {
    const publisher = await connectAs(operator, 'operator-1')
    await publisher.publishAsync('bench/lamp', 'kept', { qos: 1, retain: true })

    const exact = await connectAs(operator, 'operator-exact')
    const wildcard = await connectAs(operator, 'operator-wild')
    const seenExact = messagesWithin(exact, 400)
    const seenWildcard = messagesWithin(wildcard, 400)
    await exact.subscribeAsync('bench/lamp', { qos: 1 })
    await wildcard.subscribeAsync(['bench/+', 'bench/#'], { qos: 1 })
    expect(await seenExact).toEqual([{ topic: 'bench/lamp', payload: 'kept', retain: true }])
    expect(await seenWildcard).toEqual([])

    const live = messagesWithin(wildcard, 400)
    await publisher.publishAsync('bench', 'parent', { qos: 1 })
    await publisher.publishAsync('bench/x', 'child', { qos: 1 })
    expect((await live).map((m) => m.payload)).toEqual(['child'])
  })

  it('disconnects the older connection when a client id connects again', async () => {
    const first = await connectAs(operator, 'operator-dup')
    const gone = closed(first)
    const second = await connectAs(operator, 'operator-dup')
    await gone
    await second.publishAsync('bench/still-here', 'x', { qos: 1 })
    expect(second.connected).toBe(true)
  })

  it('publishes lifecycle events with AWS payloads', async () => {
    const watcher = await connectAs(operator, 'operator-watch')
    await watcher.subscribeAsync(['$aws/events/presence/connected/lamp-1', '$aws/events/presence/disconnected/lamp-1'], { qos: 1 })
    const connected = nextMessage(watcher, '$aws/events/presence/connected/lamp-1')
    const device = await connectDevice(deviceOptions(sandbox.core, lamp, { clientId: 'lamp-1' }))
    expect(await connected).toMatchObject({
      clientId: 'lamp-1',
      eventType: 'connected',
      principalIdentifier: lamp.certificateId,
      sessionIdentifier: expect.any(String),
      timestamp: expect.any(Number),
      versionNumber: expect.any(Number)
    })
    const disconnected = nextMessage(watcher, '$aws/events/presence/disconnected/lamp-1')
    await device.endAsync()
    expect(await disconnected).toMatchObject({
      clientId: 'lamp-1',
      eventType: 'disconnected',
      clientInitiatedDisconnect: true,
      disconnectReason: 'CLIENT_INITIATED_DISCONNECT'
    })
  })

  it('keeps a persistent session (clean session false) with its queued QoS 1 messages', async () => {
    const sleeper = await connectAs(operator, 'operator-sleeper', { clean: false })
    await sleeper.subscribeAsync('bench/wake', { qos: 1 })
    await sleeper.endAsync()
    const publisher = await connectAs(operator, 'operator-1')
    await publisher.publishAsync('bench/wake', 'while you slept', { qos: 1 })

    const back = mqtt.connect(deviceOptions(sandbox.core, operator, { clientId: 'operator-sleeper', clean: false }))
    open.push(back)
    const queued = nextEvent(back, 'message')
    const [connack] = (await nextEvent(back, 'connect')) as [{ sessionPresent: boolean }]
    expect(connack.sessionPresent).toBe(true)
    const [topic, payload] = (await queued) as [string, Buffer]
    expect([topic, payload.toString()]).toEqual(['bench/wake', 'while you slept'])
  })

  it('forgets a persistent session once its expiry has passed', async () => {
    const shortLived = await startTestSandbox({ mqttSessionExpiryMs: 200 })
    try {
      const device = await provisionDevice(shortLived.core, shortLived.iot, 'op-expiring', ALLOW_ALL)
      const first = await connectDevice(deviceOptions(shortLived.core, device, { clientId: 'op-expiring', clean: false }))
      await first.subscribeAsync('bench/x', { qos: 1 })
      await first.endAsync()
      const soon = mqtt.connect(deviceOptions(shortLived.core, device, { clientId: 'op-expiring', clean: false }))
      const [resumed] = (await nextEvent(soon, 'connect')) as [{ sessionPresent: boolean }]
      expect(resumed.sessionPresent).toBe(true)
      await soon.endAsync()
      await new Promise((resolve) => setTimeout(resolve, 400))
      const late = mqtt.connect(deviceOptions(shortLived.core, device, { clientId: 'op-expiring', clean: false }))
      const [expired] = (await nextEvent(late, 'connect')) as [{ sessionPresent: boolean }]
      expect(expired.sessionPresent).toBe(false)
      await late.endAsync()
    } finally {
      await shortLived.stop()
    }
  })

  it('drops garbage on the TLS socket and plain TCP, and still serves devices afterwards', async () => {
    const tcp = tcpConnect(sandbox.core.mqttPort, '127.0.0.1')
    await once(tcp, 'connect')
    tcp.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'))
    tcp.on('error', () => {})
    await once(tcp, 'close')

    const socket = tlsConnect({ host: '127.0.0.1', port: sandbox.core.mqttPort, servername: 'localhost', ca: caOf(sandbox.core), cert: operator.certificatePem, key: operator.privateKeyPem })
    await once(socket, 'secureConnect')
    socket.on('error', () => {})
    socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03]))
    await once(socket, 'close')

    const device = await connectAs(lamp, 'lamp-1')
    expect(device.connected).toBe(true)
  })
})
