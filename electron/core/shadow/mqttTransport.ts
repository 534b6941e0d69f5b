import { randomUUID } from 'node:crypto'
import type { ConnectionState, MqttConnection, ReceivedMessage } from '../mqtt/connection'
import { describeShadow, type JsonObject, type ShadowDeleted, type ShadowDocument, type ShadowKey, type ShadowUpdateAccepted, type ShadowUpdateRequest } from './document'
import { ShadowError, exceptionNameForCode } from './errors'
import { requestTopic, responseTopic, shadowTopicPrefix, type ShadowOperation } from './topics'
import { parseAnswer, type NamedShadowPage, type ShadowTransport } from './transport'

// The shadow service over MQTT, as the device SDK's v2 shadow client does it (research/mqtt-shadow.md
// §3.3): subscribe to the operation's accepted and rejected topics first, then publish the request
// with a fresh clientToken, and take the answer that echoes it. Answers are broadcast to every
// subscriber, so answers to other clients' requests are ignored. A subscription is kept for the
// next request until close().

const DEFAULT_SHADOW_TIMEOUT_MS = 10_000

interface Pending {
  key: ShadowKey
  operation: ShadowOperation
  resolve(body: JsonObject): void
  reject(error: ShadowError): void
}

export class MqttShadowTransport implements ShadowTransport {
  readonly via = 'mqtt' as const
  private readonly subscriptions = new Map<string, Promise<() => Promise<void>>>()
  private readonly pending = new Map<string, Pending>()
  private readonly stopWatchingState: () => void

  constructor(
    private readonly connection: MqttConnection,
    private readonly timeoutMs = DEFAULT_SHADOW_TIMEOUT_MS
  ) {
    this.stopWatchingState = connection.onState((state) => this.onState(state))
  }

  // The clientToken of a get or delete is this transport's own, so it is not passed on: the
  // documents are then the same as over HTTP.
  async get(key: ShadowKey): Promise<ShadowDocument> {
    const { clientToken: _ours, ...document } = await this.request(key, 'get', {})
    return document as unknown as ShadowDocument
  }

  async update(key: ShadowKey, request: ShadowUpdateRequest & { clientToken: string }): Promise<ShadowUpdateAccepted> {
    return (await this.request(key, 'update', request as unknown as JsonObject)) as unknown as ShadowUpdateAccepted
  }

  async delete(key: ShadowKey): Promise<ShadowDeleted> {
    const { clientToken: _ours, ...deleted } = await this.request(key, 'delete', {})
    return deleted as unknown as ShadowDeleted
  }

  async listNamedShadows(thingName: string): Promise<NamedShadowPage> {
    throw new ShadowError(
      'NotAvailableOverMqtt',
      `The Device Shadow service has no MQTT topic that lists a thing's named shadows (AWS offers ListNamedShadowsForThing over HTTP only). List the shadows of ${thingName} with the HTTP shadow client.`,
      'mqtt'
    )
  }

  async close(): Promise<void> {
    this.stopWatchingState()
    this.failAll((p) => new ShadowError('ConnectionClosed', `The shadow client was closed before the service answered the ${p.operation} of ${describeShadow(p.key)}.`, 'mqtt'))
    const subscriptions = [...this.subscriptions.values()]
    this.subscriptions.clear()
    await Promise.all(subscriptions.map((s) => s.then((unsubscribe) => unsubscribe(), () => undefined).catch(() => undefined)))
  }

  private async request(key: ShadowKey, operation: ShadowOperation, body: JsonObject): Promise<JsonObject> {
    const clientToken = typeof body.clientToken === 'string' ? body.clientToken : randomUUID()
    const accepted = responseTopic(key, operation, 'accepted')
    const rejected = responseTopic(key, operation, 'rejected')
    let timer: NodeJS.Timeout | undefined
    const answer = new Promise<JsonObject>((resolve, reject) => {
      this.pending.set(clientToken, { key, operation, resolve, reject })
      timer = setTimeout(() => {
        this.pending.delete(clientToken)
        reject(
          new ShadowError(
            'RequestTimeout',
            `The shadow service did not answer the ${operation} of ${describeShadow(key)} within ${this.timeoutMs / 1000} s (no message on ${accepted} or ${rejected} with clientToken ${clientToken}). Check that the connection's policy allows iot:Receive on those topics and that it is connected to the right endpoint.`,
            'mqtt'
          )
        )
      }, this.timeoutMs)
    })
    // The answer may fail before it is awaited (the connection closes during the subscribe).
    answer.catch(() => undefined)
    try {
      try {
        await Promise.all([this.subscribeOnce(accepted), this.subscribeOnce(rejected)])
      } catch (error) {
        throw this.connectionError(key, operation, `subscribing to ${accepted} and ${rejected}`, error)
      }
      try {
        await this.connection.publish(requestTopic(key, operation), JSON.stringify({ ...body, clientToken }), { qos: 1 })
      } catch (error) {
        throw this.connectionError(key, operation, `publishing to ${requestTopic(key, operation)}`, error)
      }
      return await answer
    } finally {
      clearTimeout(timer)
      this.pending.delete(clientToken)
    }
  }

  private subscribeOnce(topic: string): Promise<unknown> {
    let subscription = this.subscriptions.get(topic)
    if (subscription === undefined) {
      subscription = this.connection.subscribe(topic, 1, (message) => this.onAnswer(message))
      this.subscriptions.set(topic, subscription)
      // A refused subscription is tried again by the next request.
      subscription.catch(() => {
        if (this.subscriptions.get(topic) === subscription) this.subscriptions.delete(topic)
      })
    }
    return subscription
  }

  private onAnswer(message: ReceivedMessage): void {
    const body = parseAnswer(message.payload)
    const token = body?.clientToken
    if (body === undefined || typeof token !== 'string') return
    const pending = this.pending.get(token)
    if (pending === undefined) return
    if (message.topic === responseTopic(pending.key, pending.operation, 'accepted')) pending.resolve(body)
    else if (message.topic === responseTopic(pending.key, pending.operation, 'rejected')) {
      const code = typeof body.code === 'number' ? body.code : 500
      const text = typeof body.message === 'string' ? body.message : `The shadow service refused the ${pending.operation} without a message`
      pending.reject(new ShadowError(exceptionNameForCode(code), text, 'mqtt', code))
    }
  }

  private onState(state: ConnectionState): void {
    if (state.state !== 'closed' && state.state !== 'interrupted') return
    this.failAll((p) => this.connectionError(p.key, p.operation, 'waiting for the answer', undefined, state))
  }

  private failAll(error: (pending: Pending) => ShadowError): void {
    for (const [token, pending] of this.pending) {
      this.pending.delete(token)
      pending.reject(error(pending))
    }
  }

  /** The connection dropped under a request: on AWS IoT that is how a policy refuses a publish or subscribe. */
  private connectionError(key: ShadowKey, operation: ShadowOperation, during: string, cause: unknown, state: ConnectionState = this.connection.current): ShadowError {
    const connected = state.state === 'connected' || state.state === 'resumed'
    if (connected && cause instanceof Error) {
      return new ShadowError('ConnectionError', `The ${operation} of ${describeShadow(key)} failed while ${during}: ${cause.message}`, 'mqtt', undefined, { cause })
    }
    // The refusal's own words first: they name the policy's reason, where the state only says the connection dropped.
    const reason = cause instanceof Error ? cause.message : 'reason' in state && state.reason ? state.reason : undefined
    const identity = this.connection.identity
    const who = identity.kind === 'device' ? `the thing ${identity.thingName} (client id ${identity.clientId})` : `the operator connection ${identity.clientId}`
    return new ShadowError(
      'ConnectionClosed',
      `The MQTT connection of ${who} closed while ${during} for the ${operation} of ${describeShadow(key)}${reason ? ` (${reason})` : ''}. AWS IoT closes the connection when its policy does not allow a publish or subscribe: check that the policy allows iot:Publish on ${requestTopic(key, operation)} and iot:Subscribe and iot:Receive on ${shadowTopicPrefix(key)}/${operation}/accepted and /rejected.`,
      'mqtt',
      undefined,
      { cause }
    )
  }
}
