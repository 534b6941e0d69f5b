// A test-only MqttConnection (electron/core/mqtt/connection.ts) over mqtt.js: MQTT 3.1.1 over mutual
// TLS as the thing, to the Local IoT Core's device gateway. It stands in for core's connection
// manager (aws-iot-device-sdk-v2) until the tests switch to it: no reconnects, so a connection the
// broker closes stays closed, as the tests of refusals need.
import mqtt, { type MqttClient } from 'mqtt'
import type { ConnectionIdentity, ConnectionState, MqttConnection, Qos, ReceivedMessage } from '../../electron/core/mqtt/connection'

export interface MqttJsDevice {
  thingName: string
  certificatePem: string
  privateKeyPem: string
  /** Default: the thing name, which the seed policy requires. */
  clientId?: string
}

export interface GatewayAddress {
  mqttHost: string
  mqttPort: number
  /** The sandbox CA, PEM. */
  ca: string
}

/** Whether an MQTT topic filter (with `+` and `#`) matches a topic. */
export function filterMatches(filter: string, topic: string): boolean {
  const f = filter.split('/')
  const t = topic.split('/')
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false
  }
  return f.length === t.length
}

export class MqttJsConnection implements MqttConnection {
  current: ConnectionState = { state: 'connecting' }
  private readonly stateListeners = new Set<(state: ConnectionState) => void>()
  private readonly handlers = new Map<string, Set<(message: ReceivedMessage) => void>>()
  private closeReason: string | undefined

  private constructor(
    readonly identity: ConnectionIdentity,
    private readonly client: MqttClient
  ) {
    client.on('error', (error) => (this.closeReason = error.message))
    client.on('close', () => this.setState({ state: 'closed', reason: this.closeReason ?? 'the broker closed the connection' }))
    client.on('message', (topic, payload, packet) => {
      const message: ReceivedMessage = { topic, payload: new Uint8Array(payload), qos: packet.qos === 0 ? 0 : 1, retain: packet.retain }
      for (const [filter, handlers] of this.handlers) if (filterMatches(filter, topic)) for (const handler of [...handlers]) handler(message)
    })
  }

  /** Connects as the thing; rejects when the broker refuses (closes the socket before CONNACK). */
  static async connect(gateway: GatewayAddress, device: MqttJsDevice): Promise<MqttJsConnection> {
    const clientId = device.clientId ?? device.thingName
    const client = mqtt.connect({
      protocol: 'mqtts',
      host: gateway.mqttHost,
      port: gateway.mqttPort,
      protocolVersion: 4,
      ca: gateway.ca,
      cert: device.certificatePem,
      key: device.privateKeyPem,
      clientId,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 5000
    })
    const connection = new MqttJsConnection({ kind: 'device', thingName: device.thingName, clientId }, client)
    await new Promise<void>((resolve, reject) => {
      client.once('connect', (connack) => {
        connection.setState({ state: 'connected', sessionPresent: connack.sessionPresent })
        resolve()
      })
      client.once('close', () => reject(new Error(`the broker closed the connection of ${clientId} before CONNACK`)))
    })
    return connection
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener)
    return () => this.stateListeners.delete(listener)
  }

  async subscribe(filter: string, qos: Qos, handler: (message: ReceivedMessage) => void): Promise<() => Promise<void>> {
    let handlers = this.handlers.get(filter)
    if (handlers === undefined) {
      handlers = new Set()
      this.handlers.set(filter, handlers)
    }
    handlers.add(handler)
    try {
      const granted = await this.untilClosed(this.client.subscribeAsync(filter, { qos }), `subscribing to ${filter}`)
      if (granted.some((g) => g.qos === 128)) throw new Error(`the broker refused the subscription to ${filter} (SUBACK 0x80)`)
    } catch (error) {
      this.removeHandler(filter, handler)
      throw error
    }
    return async () => {
      if (this.removeHandler(filter, handler) && this.client.connected) await this.client.unsubscribeAsync(filter)
    }
  }

  async publish(topic: string, payload: Uint8Array | string, options: { qos?: Qos; retain?: boolean } = {}): Promise<void> {
    await this.untilClosed(
      this.client.publishAsync(topic, typeof payload === 'string' ? payload : Buffer.from(payload), { qos: options.qos ?? 0, retain: options.retain ?? false }),
      `publishing to ${topic}`
    )
  }

  async close(): Promise<void> {
    if (this.current.state === 'closed') return
    await this.client.endAsync()
  }

  private setState(state: ConnectionState): void {
    this.current = state
    for (const listener of [...this.stateListeners]) listener(state)
  }

  /** True when it was the filter's last handler (so the filter can be unsubscribed). */
  private removeHandler(filter: string, handler: (message: ReceivedMessage) => void): boolean {
    const handlers = this.handlers.get(filter)
    if (!handlers?.delete(handler)) return false
    if (handlers.size > 0) return false
    this.handlers.delete(filter)
    return true
  }

  /** The operation's result, or a rejection as soon as the connection closes under it. */
  private untilClosed<T>(operation: Promise<T>, what: string): Promise<T> {
    if (this.current.state === 'closed') return Promise.reject(new Error(`the connection is closed (${what})`))
    return new Promise<T>((resolve, reject) => {
      const stop = this.onState((state) => {
        if (state.state === 'closed') reject(new Error(`the connection closed while ${what}: ${state.reason ?? 'no reason given'}`))
      })
      operation.then(resolve, reject).finally(stop)
    })
  }
}
