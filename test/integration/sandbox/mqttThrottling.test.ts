import { GetThingShadowCommand, ThrottlingException, UpdateThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import type { MqttClient } from 'mqtt'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { dataPlaneClientFor } from '../../support/dataPlane'
import { ALLOW_ALL, closed, connectDevice, connectOutcome, deviceOptions, messagesWithin, nextMessage, provisionDevice, type Device } from '../../support/mqttDevices'
import { refusal } from '../../support/refusal'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'

// AWS's data-plane and broker quotas behind the sandbox's throttling switch (research/iot-core.md
// §3.6, §5.2), each answered the way AWS answers it: 429 ThrottlingException over 20 shadow requests
// per second per thing (MQTT: `/rejected` with code 429), the connection closed for more than 8 filters
// in one SUBSCRIBE, SUBACK 0x80 beyond 50 subscriptions, publishes beyond 100 per second discarded,
// a second CONNECT of a client id within a second dropped. With the switch off none of it applies.
// Every test connects under a client id of its own, since AWS's CONNECT rate applies to the tests too.

let sandbox: TestSandbox
let data: IoTDataPlaneClient
let device: Device
const open: MqttClient[] = []

beforeAll(async () => {
  sandbox = await startTestSandbox({ throttling: true })
  data = dataPlaneClientFor(sandbox.core)
  device = await provisionDevice(sandbox.core, sandbox.iot, 'quota-1', ALLOW_ALL)
})
afterEach(() => {
  for (const client of open.splice(0)) client.end(true)
})
afterAll(async () => {
  data.destroy()
  await sandbox.stop()
})

async function connectAs(clientId: string, core = sandbox.core): Promise<MqttClient> {
  const client = await connectDevice(deviceOptions(core, device, { clientId }))
  open.push(client)
  return client
}

const filters = (count: number, prefix: string): string[] => Array.from({ length: count }, (_, i) => `${prefix}/${i}`)

describe('the shadow request rate (20 per second per thing)', () => {
  it('refuses HTTP requests beyond it with 429 ThrottlingException, for that thing only', async () => {
    await data.send(new UpdateThingShadowCommand({ thingName: 'busy-1', payload: JSON.stringify({ state: { reported: { on: true } } }) }))
    const started = performance.now()
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, () => data.send(new GetThingShadowCommand({ thingName: 'busy-1' })).then(() => 'ok', (error: unknown) => error))
    )
    const refilled = Math.ceil(((performance.now() - started) / 1000) * 20)
    const throttled = outcomes.filter((outcome) => outcome instanceof ThrottlingException) as ThrottlingException[]
    // The update took one of the 20; the bucket refills at 20 per second while the calls run.
    expect(outcomes.filter((outcome) => outcome === 'ok').length).toBeLessThanOrEqual(19 + refilled)
    expect(throttled.length).toBe(outcomes.filter((outcome) => outcome !== 'ok').length)
    expect(throttled.length).toBeGreaterThan(0)
    expect(throttled[0]!.$metadata.httpStatusCode).toBe(429)
    expect(throttled[0]!.message).toBe('Too Many Requests')
    // Another thing has its own rate.
    expect(await refusal(data.send(new GetThingShadowCommand({ thingName: 'quiet-1' })))).toMatchObject({ name: 'ResourceNotFoundException' })
  })

  it('answers MQTT shadow requests beyond it on /rejected with code 429 and the clientToken', async () => {
    const client = await connectAs('quota-shadow')
    await client.subscribeAsync('$aws/things/busy-2/shadow/get/rejected', { qos: 1 })
    const arriving = messagesWithin(client, 500)
    for (let i = 0; i < 25; i++) client.publish('$aws/things/busy-2/shadow/get', JSON.stringify({ clientToken: `get-${i}` }), { qos: 0 })
    // Each request is answered: 404 (no shadow) within the rate, 429 beyond it.
    const seen = (await arriving).map((message) => JSON.parse(message.payload) as Record<string, unknown>)
    expect(seen).toHaveLength(25)
    const throttled = seen.filter((payload) => payload['code'] === 429)
    expect(throttled.length).toBeGreaterThan(0)
    expect(seen.filter((payload) => payload['code'] === 404).length).toBeGreaterThanOrEqual(20)
    expect(throttled[0]).toMatchObject({ code: 429, message: 'Too Many Requests', clientToken: expect.stringMatching(/^get-\d+$/) })
    expect(client.connected).toBe(true)
  })
})

describe('broker quotas', () => {
  it('closes the connection for more than 8 filters in one SUBSCRIBE, and takes 8', async () => {
    const client = await connectAs('quota-filters')
    const granted = await client.subscribeAsync(filters(8, 'eight'), { qos: 1 })
    expect(granted.map((g) => g.qos)).toEqual(Array(8).fill(1))
    const gone = closed(client)
    client.subscribe(filters(9, 'nine'), { qos: 1 })
    await gone
  })

  it('answers SUBACK 0x80 beyond 50 subscriptions on a connection and keeps it open', async () => {
    const client = await connectAs('quota-subscriptions')
    for (let batch = 0; batch < 6; batch++) await client.subscribeAsync(filters(8, `many/${batch}`), { qos: 1 })
    // mqtt.js rejects a SUBACK that refuses any filter; the SUBACK rides on the error.
    const granted = await client.subscribeAsync(filters(8, 'many/last'), { qos: 1 }).then(
      (subscriptions) => subscriptions.map((g) => g.qos),
      (error: { packet?: { granted?: number[] } }) => error.packet?.granted
    )
    // 48 held: the next 2 fit, the other 6 are refused.
    expect(granted).toEqual([1, 1, 128, 128, 128, 128, 128, 128])
    expect(client.connected).toBe(true)
    const arriving = nextMessage(client, 'many/last/1')
    await client.publishAsync('many/last/1', '{"ok":true}', { qos: 1 })
    expect(await arriving).toEqual({ ok: true })
  })

  it('discards publishes beyond 100 per second on a connection, without closing it', async () => {
    const subscriberClient = await connectAs('quota-sub')
    await subscriberClient.subscribeAsync('burst/topic', { qos: 0 })
    const publisher = await connectAs('quota-pub')
    const arriving = messagesWithin(subscriberClient, 600)
    for (let i = 0; i < 150; i++) publisher.publish('burst/topic', String(i), { qos: 0 })
    const received = await arriving
    expect(received.length).toBeGreaterThanOrEqual(100)
    expect(received.length).toBeLessThan(150)
    expect(publisher.connected).toBe(true)
  })

  it('drops a second CONNECT of a client id within a second, and admits it a second later', async () => {
    const first = await connectAs('quota-reconnect')
    first.end(true)
    expect(await connectOutcome(deviceOptions(sandbox.core, device, { clientId: 'quota-reconnect' }))).toBe('closed')
    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect(await connectOutcome(deviceOptions(sandbox.core, device, { clientId: 'quota-reconnect' }))).toBe('connected')
  })
})

describe('with throttling off (the default)', () => {
  it('applies none of the quotas', async () => {
    const unthrottled = await startTestSandbox()
    const unthrottledData = dataPlaneClientFor(unthrottled.core)
    try {
      const other = await provisionDevice(unthrottled.core, unthrottled.iot, 'quota-1', ALLOW_ALL)
      await unthrottledData.send(new UpdateThingShadowCommand({ thingName: 'busy-1', payload: JSON.stringify({ state: { reported: { on: true } } }) }))
      const outcomes = await Promise.all(Array.from({ length: 30 }, () => unthrottledData.send(new GetThingShadowCommand({ thingName: 'busy-1' })).then(() => 'ok')))
      expect(outcomes.every((outcome) => outcome === 'ok')).toBe(true)
      const client = await connectDevice(deviceOptions(unthrottled.core, other, { clientId: 'quota-1' }))
      open.push(client)
      const granted = await client.subscribeAsync(filters(9, 'nine'), { qos: 1 })
      expect(granted).toHaveLength(9)
      client.end(true)
      expect(await connectOutcome(deviceOptions(unthrottled.core, other, { clientId: 'quota-1' }))).toBe('connected')
    } finally {
      unthrottledData.destroy()
      await unthrottled.stop()
    }
  })
})
