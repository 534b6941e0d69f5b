// The seam between MQTT connections (core/mqtt: aws-iot-device-sdk-v2 under a connection manager)
// and what runs over them (core/shadow: the shadow client and the simulated device; later the
// serial bench). Everything above this file sees only these types, never aws-crt.

/** Where a connection stands; `reason` says in plain words why it is not connected (AWS's words where there are any). */
export type ConnectionState =
  | { state: 'connecting' }
  | { state: 'connected'; sessionPresent: boolean }
  | { state: 'interrupted'; reason: string }
  | { state: 'resumed'; sessionPresent: boolean }
  | { state: 'closed'; reason?: string }

export type Qos = 0 | 1

export interface ReceivedMessage {
  topic: string
  payload: Uint8Array
  qos: Qos
  retain: boolean
}

/** Who the connection is: a thing (mTLS with its certificate and its vault key) or an operator (WSS + SigV4). */
export type ConnectionIdentity =
  | { kind: 'device'; thingName: string; clientId: string }
  | { kind: 'operator'; clientId: string }

export interface MqttConnection {
  readonly identity: ConnectionIdentity
  readonly current: ConnectionState
  /** Calls `listener` on every state change; returns the unsubscribe function. */
  onState(listener: (state: ConnectionState) => void): () => void
  /**
   * Subscribes `handler` to a topic filter (kept across reconnects: resubscribed on resume). Resolves
   * once the broker granted it; rejects with the broker's refusal. Returns the unsubscribe function.
   */
  subscribe(filter: string, qos: Qos, handler: (message: ReceivedMessage) => void): Promise<() => Promise<void>>
  /** Publishes; while offline the message waits in a bounded queue, and a message that could not be delivered rejects with why. */
  publish(topic: string, payload: Uint8Array | string, options?: { qos?: Qos; retain?: boolean }): Promise<void>
}
