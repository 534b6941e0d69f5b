import { UpdateCertificateCommand } from '@aws-sdk/client-iot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConnectionManager, type ConnectionState, type MqttConnection, type ReceivedMessage } from '../../../electron/core/mqtt'
import { startDeviceWorld, stateReached, type DeviceWorld } from './support/deviceWorld'

// Device connections through core's connection manager: aws-iot-device-sdk-v2 (aws-crt, native,
// one per process: this file runs in its own fork) with the thing's certificate and its vault key,
// against the Local IoT Core's broker over mutual TLS, under the seed 'shadow' policy.

let world: DeviceWorld
let manager: ConnectionManager

beforeAll(async () => {
  world = await startDeviceWorld()
  manager = new ConnectionManager()
})
afterAll(async () => {
  await manager.closeAll()
  await world.close()
})

/** The next message on `topic`, parsed as JSON, from a subscription already granted. */
function nextJson(messages: ReceivedMessage[], topic: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const index = messages.findIndex((m) => m.topic === topic)
      if (index >= 0) {
        clearInterval(poll)
        resolve(JSON.parse(Buffer.from(messages.splice(index, 1)[0]!.payload).toString('utf8')) as Record<string, unknown>)
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll)
        reject(new Error(`no message on ${topic} within ${timeoutMs} ms; got ${messages.map((m) => m.topic).join(', ') || 'none'}`))
      }
    }, 10)
  })
}

async function updatesOwnShadow(connection: MqttConnection, thingName: string): Promise<void> {
  const received: ReceivedMessage[] = []
  const unsubscribe = await connection.subscribe(`$aws/things/${thingName}/shadow/update/+`, 1, (m) => received.push(m))
  await connection.publish(`$aws/things/${thingName}/shadow/update`, JSON.stringify({ state: { reported: { on: true } }, clientToken: 't-1' }), { qos: 1 })
  expect(await nextJson(received, `$aws/things/${thingName}/shadow/update/accepted`)).toMatchObject({ state: { reported: { on: true } }, clientToken: 't-1', version: 1 })
  await unsubscribe()
}

describe('device connections', () => {
  it('an EC thing connects with its vault key and updates its own shadow (publish and subscribe within its policy)', async () => {
    await world.provisionThing('lamp-ec')
    const lease = await manager.acquire(world.device('lamp-ec'))
    try {
      expect(lease.connection.current).toEqual({ state: 'connected', sessionPresent: false })
      expect(lease.connection.identity).toEqual({ kind: 'device', thingName: 'lamp-ec', clientId: 'lamp-ec' })
      await updatesOwnShadow(lease.connection, 'lamp-ec')
    } finally {
      await lease.release()
    }
  })

  it('an RSA 2048 thing connects with its vault key too', async () => {
    await world.provisionThing('lamp-rsa', 'rsa2048')
    const lease = await manager.acquire(world.device('lamp-rsa'))
    try {
      await updatesOwnShadow(lease.connection, 'lamp-rsa')
    } finally {
      await lease.release()
    }
  })

  it("subscribing to another thing's shadow is refused with the policy's reason, and the connection comes back", async () => {
    await world.provisionThing('lamp-nosy')
    const lease = await manager.acquire(world.device('lamp-nosy'))
    try {
      await expect(lease.connection.subscribe('$aws/things/lamp-ec/shadow/update/accepted', 1, () => {})).rejects.toThrow(
        'Not subscribed to $aws/things/lamp-ec/shadow/update/accepted: the policy does not allow subscribing to $aws/things/lamp-ec/shadow/update/accepted'
      )
      // The broker closed the connection for it (as AWS does); it is resumed and still works.
      await stateReached(lease.connection, (s) => s.state === 'resumed')
      await updatesOwnShadow(lease.connection, 'lamp-nosy')
    } finally {
      await lease.release()
    }
  })

  it("publishing to another thing's shadow is rejected with the policy's reason, not retried, and the connection comes back", async () => {
    await world.provisionThing('lamp-pushy')
    const lease = await manager.acquire(world.device('lamp-pushy'))
    try {
      await expect(lease.connection.publish('$aws/things/lamp-ec/shadow/update', '{"state":{"desired":{"on":false}}}', { qos: 1 })).rejects.toThrow(
        'Not sent to $aws/things/lamp-ec/shadow/update: the policy does not allow publishing to $aws/things/lamp-ec/shadow/update'
      )
      await stateReached(lease.connection, (s) => s.state === 'resumed')
      await updatesOwnShadow(lease.connection, 'lamp-pushy')
    } finally {
      await lease.release()
    }
  })

  it('a client id the policy does not allow is refused with that reason', async () => {
    await world.provisionThing('lamp-id')
    await expect(manager.acquire(world.device('lamp-id', 'not-lamp-id'))).rejects.toThrow(
      'Cannot connect thing lamp-id (client id "not-lamp-id") to localhost:' + world.endpoint.port + ': the policy does not allow this client id ("not-lamp-id")'
    )
  })

  it('an inactive certificate is refused with that reason; deactivating it under a live connection closes it with the reason', async () => {
    const thing = await world.provisionThing('lamp-off')
    const lease = await manager.acquire(world.device('lamp-off'))
    const states: ConnectionState[] = []
    lease.connection.onState((s) => states.push(s))
    await world.iot.send(new UpdateCertificateCommand({ certificateId: thing.certificateId, newStatus: 'INACTIVE' }))
    const closed = await stateReached(lease.connection, (s) => s.state === 'closed')
    expect(closed).toEqual({ state: 'closed', reason: expect.stringContaining('the certificate is not active (it is INACTIVE)') })
    expect(states[0]).toEqual({ state: 'interrupted', reason: 'the broker closed the connection' })
    await lease.release()

    await expect(manager.acquire(world.device('lamp-off'))).rejects.toThrow(/: the certificate is not active \(it is INACTIVE\): activate certificate [0-9a-f]{64}/)
  })

  it('one connection per identity, shared and reference-counted: closed when the last user releases it', async () => {
    await world.provisionThing('lamp-shared')
    const first = await manager.acquire(world.device('lamp-shared'))
    const second = await manager.acquire(world.device('lamp-shared'))
    expect(second.connection).toBe(first.connection)
    await first.release()
    await first.release()
    expect(second.connection.current.state).toBe('connected')
    await updatesOwnShadow(second.connection, 'lamp-shared')
    await second.release()
    expect(second.connection.current).toEqual({ state: 'closed' })
    await expect(second.connection.publish('$aws/things/lamp-shared/shadow/get', '{}')).rejects.toThrow('Not sent to $aws/things/lamp-shared/shadow/get: the connection was closed')
    // A new acquire opens a new connection.
    const third = await manager.acquire(world.device('lamp-shared'))
    expect(third.connection).not.toBe(first.connection)
    await third.release()
  })

  it('a thing whose key the vault does not hold cannot connect, and says so', async () => {
    const thing = await world.provisionThing('lamp-nokey')
    await world.vault.delete(thing.certificateId)
    await expect(manager.acquire(world.device('lamp-nokey'))).rejects.toThrow(
      `The vault holds no private key for the certificate of thing lamp-nokey (${thing.certificateId})`
    )
  })
})
