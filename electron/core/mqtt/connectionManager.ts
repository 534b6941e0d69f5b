import { mqtt } from 'aws-iot-device-sdk-v2'
import type { MqttConnection } from './connection'
import { defaultConnectionPolicy, describeIdentity, ManagedConnection, MqttConnectionError, type ConnectionPolicy } from './managedConnection'
import { addressOf, type MqttTarget } from './target'

/** One user's hold on a shared connection. */
export interface ConnectionLease {
  connection: MqttConnection
  /** Gives the connection back; the last release disconnects it. Calling it twice is harmless. */
  release(): Promise<void>
}

interface Entry {
  connection: ManagedConnection
  users: number
  opened: Promise<void>
}

export interface ConnectionManagerOptions {
  reconnect?: Partial<ConnectionPolicy['reconnect']>
  offlineQueue?: Partial<ConnectionPolicy['offlineQueue']>
}

/**
 * The process's MQTT connections: one per client id and endpoint (AWS drops the older of two
 * connections with the same client id), shared by everyone who acquires it, disconnected when the
 * last one releases it. closeAll() ends them all so the process can exit (electron-hazards.md §1.4).
 */
export class ConnectionManager {
  private readonly entries = new Map<string, Entry>()
  private readonly policy: ConnectionPolicy
  private client?: mqtt.MqttClient
  private closed = false

  constructor(options: ConnectionManagerOptions = {}) {
    this.policy = {
      reconnect: { ...defaultConnectionPolicy.reconnect, ...options.reconnect },
      offlineQueue: { ...defaultConnectionPolicy.offlineQueue, ...options.offlineQueue }
    }
  }

  /** The connection for the target's identity, opened if needed; rejects with the reason in plain words when it cannot connect. */
  async acquire(target: MqttTarget): Promise<ConnectionLease> {
    if (this.closed) throw new MqttConnectionError('The MQTT connections are shut down (the app is quitting)')
    const key = `${addressOf(target.endpoint)} ${target.identity.clientId}`
    let entry = this.entries.get(key)
    if (entry && entry.connection.current.state === 'closed') entry = undefined
    if (entry && JSON.stringify(entry.connection.identity) !== JSON.stringify(target.identity))
      throw new MqttConnectionError(
        `Client id "${target.identity.clientId}" is already connected to ${addressOf(target.endpoint)} as ${describeIdentity(entry.connection.identity)}; ` +
          'the broker allows one connection per client id: choose another client id'
      )
    if (!entry) {
      const connection = new ManagedConnection(target, (this.client ??= new mqtt.MqttClient()), this.policy)
      const created: Entry = { connection, users: 0, opened: connection.open() }
      entry = created
      this.entries.set(key, created)
      connection.onState((state) => {
        if (state.state === 'closed' && this.entries.get(key) === created) this.entries.delete(key)
      })
    }
    const held = entry
    held.users++
    try {
      await held.opened
    } catch (error) {
      held.users--
      throw error
    }
    let released = false
    return {
      connection: held.connection,
      release: async () => {
        if (released) return
        released = true
        if (--held.users > 0) return
        if (this.entries.get(key) === held) this.entries.delete(key)
        await held.connection.close()
      }
    }
  }

  /** Disconnects every connection and waits until aws-crt has let go of them; acquire() is refused afterwards. */
  async closeAll(): Promise<void> {
    this.closed = true
    const entries = [...this.entries.values()]
    this.entries.clear()
    await Promise.all(entries.map((entry) => entry.connection.close()))
  }
}
