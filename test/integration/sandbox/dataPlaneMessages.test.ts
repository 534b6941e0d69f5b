import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  ForbiddenException,
  GetRetainedMessageCommand,
  GetThingShadowCommand,
  InvalidRequestException,
  ListRetainedMessagesCommand,
  PublishCommand,
  RequestEntityTooLargeException,
  ResourceNotFoundException,
  type IoTDataPlaneClient
} from '@aws-sdk/client-iot-data-plane'
import type { MqttClient } from 'mqtt'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { dataPlaneClientFor } from '../../support/dataPlane'
import { ALLOW_ALL, connectDevice, deviceOptions, messagesWithin, provisionDevice, type Device } from '../../support/mqttDevices'
import { refusal } from '../../support/refusal'
import { startTestSandbox, testSecretProtector, type TestSandbox } from '../../support/sandbox'

// The HTTP data plane's Publish, GetRetainedMessage and ListRetainedMessages through
// @aws-sdk/client-iot-data-plane, unmodified, against MQTT subscribers (mqtt.js over mTLS): an HTTP
// publish reaches them, a retained message is the same for MQTT and HTTP whichever side published it,
// and it survives a restart of the sandbox, as AWS keeps retained messages.

const NOW_MS = Date.UTC(2026, 0, 15, 9, 30, 0)
let sandbox: TestSandbox
let data: IoTDataPlaneClient
let sensor: Device
const open: MqttClient[] = []

beforeAll(async () => {
  sandbox = await startTestSandbox({ now: () => NOW_MS })
  data = dataPlaneClientFor(sandbox.core)
  sensor = await provisionDevice(sandbox.core, sandbox.iot, 'sensor-1', ALLOW_ALL)
})
afterEach(() => {
  for (const client of open.splice(0)) client.end(true)
})
afterAll(async () => {
  data.destroy()
  await sandbox.stop()
})

async function subscriber(clientId: string, filter: string): Promise<MqttClient> {
  const client = await connectDevice(deviceOptions(sandbox.core, sensor, { clientId }))
  open.push(client)
  await client.subscribeAsync(filter, { qos: 1 })
  return client
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('Publish', () => {
  it('delivers the body bytes unchanged to MQTT subscribers, at the QoS asked', async () => {
    const device = await subscriber('sensor-1', 'bench/sensor-1/blob')
    const received = new Promise<{ payload: Buffer; qos: number; retain: boolean }>((resolve) =>
      device.once('message', (_topic, payload, packet) => resolve({ payload, qos: packet.qos, retain: packet.retain }))
    )
    const binary = Uint8Array.from([0, 255, 1, 254, 10, 128])
    await data.send(new PublishCommand({ topic: 'bench/sensor-1/blob', qos: 1, payload: binary }))
    const message = await received
    expect({ ...message, payload: [...message.payload] }).toEqual({ payload: [...binary], qos: 1, retain: false })
  })

  it('answers a shadow request topic with the shadow service, as an MQTT publish would be', async () => {
    await data.send(new PublishCommand({ topic: '$aws/things/sensor-9/shadow/update', qos: 1, payload: bytes(JSON.stringify({ state: { desired: { rate: 5 } } })) }))
    const shadow = await data.send(new GetThingShadowCommand({ thingName: 'sensor-9' }))
    expect(JSON.parse(new TextDecoder().decode(shadow.payload))).toMatchObject({ state: { desired: { rate: 5 } }, version: 1 })
  })

  it("refuses what AWS refuses with AWS's exception, and publishes nothing", async () => {
    const device = await subscriber('sensor-1', 'bench/#')
    const arriving = messagesWithin(device, 300)
    expect(await refusal(data.send(new PublishCommand({ topic: 'bench/a', qos: 2, payload: bytes('x') })))).toMatchObject({
      name: InvalidRequestException.name,
      status: 400,
      message: expect.stringContaining("Value '2' at 'qos'")
    })
    expect(await refusal(data.send(new PublishCommand({ topic: 'bench/+/a', payload: bytes('x') })))).toMatchObject({ name: InvalidRequestException.name, status: 400 })
    expect(await refusal(data.send(new PublishCommand({ topic: 'bench/1/2/3/4/5/6/7/8', payload: bytes('x') })))).toMatchObject({
      name: InvalidRequestException.name,
      message: expect.stringContaining('8 slashes')
    })
    expect(await refusal(data.send(new PublishCommand({ topic: 'bench/big', payload: new Uint8Array(128 * 1024 + 1) })))).toMatchObject({
      name: RequestEntityTooLargeException.name,
      status: 413
    })
    expect(await refusal(data.send(new PublishCommand({ topic: '$aws/things/sensor-1/shadow/update', retain: true, payload: bytes('{}') })))).toMatchObject({
      name: ForbiddenException.name,
      status: 403
    })
    expect(await refusal(data.send(new PublishCommand({ topic: '$aws/things/sensor-1/shadow/update/accepted', payload: bytes('{}') })))).toMatchObject({
      name: ForbiddenException.name
    })
    expect(await arriving).toEqual([])
  })
})

describe('retained messages', () => {
  it('keeps an HTTP retained publish: GetRetainedMessage answers it and an MQTT subscriber gets it on subscribe', async () => {
    await data.send(new PublishCommand({ topic: 'bench/retained/http', qos: 1, retain: true, payload: bytes('{"level":7}') }))
    const got = await data.send(new GetRetainedMessageCommand({ topic: 'bench/retained/http' }))
    expect({ topic: got.topic, payload: new TextDecoder().decode(got.payload), qos: got.qos, lastModifiedTime: got.lastModifiedTime }).toEqual({
      topic: 'bench/retained/http',
      payload: '{"level":7}',
      qos: 1,
      lastModifiedTime: NOW_MS
    })

    const device = await subscriber('sensor-1', 'bench/retained/http')
    expect(await messagesWithin(device, 300)).toEqual([{ topic: 'bench/retained/http', payload: '{"level":7}', retain: true }])
  })

  it('keeps an MQTT retained publish where HTTP sees it, and an empty retained publish deletes it', async () => {
    const device = await subscriber('sensor-1', 'bench/unused')
    await device.publishAsync('bench/retained/mqtt', 'from-mqtt', { qos: 0, retain: true })
    await expect.poll(async () => (await data.send(new GetRetainedMessageCommand({ topic: 'bench/retained/mqtt' }))).qos).toBe(0)
    const got = await data.send(new GetRetainedMessageCommand({ topic: 'bench/retained/mqtt' }))
    expect(new TextDecoder().decode(got.payload)).toBe('from-mqtt')

    await device.publishAsync('bench/retained/mqtt', '', { qos: 1, retain: true })
    expect(await refusal(data.send(new GetRetainedMessageCommand({ topic: 'bench/retained/mqtt' })))).toMatchObject({
      name: ResourceNotFoundException.name,
      status: 404
    })
  })

  it('ListRetainedMessages lists topics with payload size, QoS and time, in pages', async () => {
    for (const name of ['a', 'b', 'c']) await data.send(new PublishCommand({ topic: `bench/list/${name}`, retain: true, payload: bytes(name.repeat(3)) }))
    const all = await data.send(new ListRetainedMessagesCommand({}))
    expect(all.retainedTopics?.filter((t) => t.topic!.startsWith('bench/list/'))).toEqual(
      ['a', 'b', 'c'].map((name) => ({ topic: `bench/list/${name}`, payloadSize: 3, qos: 0, lastModifiedTime: NOW_MS }))
    )
    expect(all.nextToken).toBeUndefined()

    const topics: string[] = []
    let nextToken: string | undefined
    do {
      const page = await data.send(new ListRetainedMessagesCommand({ maxResults: 1, nextToken }))
      expect(page.retainedTopics).toHaveLength(1)
      topics.push(page.retainedTopics![0]!.topic!)
      nextToken = page.nextToken
    } while (nextToken)
    expect(topics).toEqual(all.retainedTopics!.map((t) => t.topic))
    expect(await refusal(data.send(new ListRetainedMessagesCommand({ maxResults: 201 })))).toMatchObject({ name: InvalidRequestException.name })
  })

  it('survives a restart of the sandbox, for HTTP and for MQTT subscribers', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingbench-retained-'))
    const protector = testSecretProtector()
    try {
      const before = await startTestSandbox({ dataDir, secretProtector: protector })
      const device = await provisionDevice(before.core, before.iot, 'sensor-r', ALLOW_ALL)
      const beforeData = dataPlaneClientFor(before.core)
      await beforeData.send(new PublishCommand({ topic: 'bench/retained/durable', qos: 1, retain: true, payload: bytes('kept') }))
      beforeData.destroy()
      await before.stop()

      const after = await startTestSandbox({ dataDir, secretProtector: protector })
      const afterData = dataPlaneClientFor(after.core)
      try {
        const got = await afterData.send(new GetRetainedMessageCommand({ topic: 'bench/retained/durable' }))
        expect(new TextDecoder().decode(got.payload)).toBe('kept')
        const client = await connectDevice(deviceOptions(after.core, device, { clientId: 'sensor-r' }))
        await client.subscribeAsync('bench/retained/durable', { qos: 1 })
        expect(await messagesWithin(client, 300)).toEqual([{ topic: 'bench/retained/durable', payload: 'kept', retain: true }])
        client.end(true)
      } finally {
        afterData.destroy()
        await after.stop()
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
