import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConnectionManager, type ConnectionState, type ReceivedMessage } from '../../../electron/core/mqtt'
import { startDeviceWorld, stateReached, type DeviceWorld } from './support/deviceWorld'

// The Local IoT Core stopped and started again on the same ports and data directory under a
// connected device (aws-crt, native: this file runs in its own fork). The broker keeps no session
// across the restart, so the manager must subscribe again, and what was published meanwhile waits in
// its bounded offline queue until then.

let world: DeviceWorld

beforeAll(async () => {
  world = await startDeviceWorld()
  await world.provisionThing('lamp-restart')
})
afterAll(async () => {
  await world.close()
})

const updateTopic = '$aws/things/lamp-restart/shadow/update'
const update = (n: number): string => JSON.stringify({ state: { reported: { n } }, clientToken: `offline-${n}` })

describe('broker restarted under a connected client', () => {
  it('goes interrupted then resumed, resubscribes, and delivers the QoS 1 updates published while it was down; the overflow is rejected', async () => {
    const manager = new ConnectionManager({ reconnect: { initialDelayMs: 200, maxDelayMs: 1000 }, offlineQueue: { maxMessages: 2, maxWaitMs: 20_000 } })
    try {
      const { connection } = await manager.acquire(world.device('lamp-restart'))
      const states: ConnectionState[] = []
      connection.onState((s) => states.push(s))
      const accepted: ReceivedMessage[] = []
      await connection.subscribe(`${updateTopic}/accepted`, 1, (m) => accepted.push(m))

      const start = await world.stopBroker()
      await stateReached(connection, (s) => s.state === 'interrupted')
      const queued = [connection.publish(updateTopic, update(1), { qos: 1 }), connection.publish(updateTopic, update(2), { qos: 1 })]
      await expect(connection.publish(updateTopic, update(3), { qos: 1 })).rejects.toThrow(
        `Not sent to ${updateTopic}: the offline queue is full (2 messages already wait while the connection is interrupted: `
      )
      // Down for a while: the reconnect attempts fail (nothing listening) and back off.
      await new Promise((resolve) => setTimeout(resolve, 1500))
      expect(connection.current).toEqual({ state: 'interrupted', reason: `nothing is listening at localhost:${world.endpoint.port} (connection refused)` })

      await start()
      await stateReached(connection, (s) => s.state === 'resumed')
      await Promise.all(queued)
      // Delivered after the resubscription, in order, each exactly as the shadow service accepted it.
      await expect.poll(() => accepted.length, { timeout: 5000 }).toBe(2)
      const documents = accepted.map((m) => JSON.parse(Buffer.from(m.payload).toString('utf8')) as { clientToken: string; version: number })
      expect(documents.map((d) => [d.clientToken, d.version])).toEqual([
        ['offline-1', 1],
        ['offline-2', 2]
      ])
      expect(states[0]).toEqual({ state: 'interrupted', reason: 'the broker closed the connection' })
      expect(states.at(-1)).toEqual({ state: 'resumed', sessionPresent: false })
    } finally {
      await manager.closeAll()
    }
  })

  it('a publish that waits longer than the queue allows is rejected, saying why', async () => {
    const manager = new ConnectionManager({ reconnect: { initialDelayMs: 200, maxDelayMs: 500 }, offlineQueue: { maxMessages: 10, maxWaitMs: 300 } })
    let start: (() => Promise<void>) | undefined
    try {
      const { connection } = await manager.acquire(world.device('lamp-restart'))
      start = await world.stopBroker()
      await stateReached(connection, (s) => s.state === 'interrupted')
      await expect(connection.publish(updateTopic, update(9), { qos: 1 })).rejects.toThrow(`Not sent to ${updateTopic} within 0.3 s: the connection is interrupted: `)
    } finally {
      await manager.closeAll()
      await start?.()
    }
  })

  it('closeAll while the broker is down ends the connection at once and rejects what waits', async () => {
    const manager = new ConnectionManager({ reconnect: { initialDelayMs: 200, maxDelayMs: 500 } })
    const { connection } = await manager.acquire(world.device('lamp-restart'))
    const start = await world.stopBroker()
    try {
      await stateReached(connection, (s) => s.state === 'interrupted')
      const waiting = connection.publish(updateTopic, update(10), { qos: 1 }).catch((error: Error) => error.message)
      const began = Date.now()
      await manager.closeAll()
      expect(Date.now() - began).toBeLessThan(3000)
      expect(connection.current).toEqual({ state: 'closed' })
      expect(await waiting).toBe('Not sent: the connection was closed')
      await expect(manager.acquire(world.device('lamp-restart'))).rejects.toThrow('The MQTT connections are shut down')
    } finally {
      await start()
    }
  })
})
