import type { mqtt } from 'aws-iot-device-sdk-v2'
import type { ConnectionIdentity, ConnectionState, MqttConnection, Qos, ReceivedMessage } from './connection'
import { describeCrtFailure, type CrtFailure } from './crtErrors'
import { MqttPublishError, PublishQueue, type PublishQueueLimits, type QueuedPublish } from './publishQueue'
import { addressOf, type MqttTarget, type PreparedTarget, type RefusedOperation } from './target'

/** The connection could not be opened, or it closed for good; the message says why in plain words. */
export class MqttConnectionError extends Error {
  override name = 'MqttConnectionError'
}

/** A subscription the broker refused (AWS: the policy), or that ended with the connection. */
export class MqttSubscribeError extends Error {
  override name = 'MqttSubscribeError'
}

export interface ReconnectPolicy {
  /** The first retry waits about this long; each failed attempt doubles it, up to maxDelayMs. Each wait is jittered (half fixed, half random). */
  initialDelayMs: number
  maxDelayMs: number
  /** Interruptions within stormWindowMs after which the connection gives up (research/electron-hazards.md §1.8). */
  stormInterruptions: number
  stormWindowMs: number
}

export interface ConnectionPolicy {
  reconnect: ReconnectPolicy
  offlineQueue: PublishQueueLimits
}

export const defaultConnectionPolicy: ConnectionPolicy = {
  reconnect: { initialDelayMs: 500, maxDelayMs: 30_000, stormInterruptions: 5, stormWindowMs: 60_000 },
  offlineQueue: { maxMessages: 100, maxWaitMs: 30_000 }
}

type Handler = (message: ReceivedMessage) => void

interface Subscription {
  filter: string
  qos: Qos
  handlers: Set<Handler>
  /** Settles once the broker first granted or refused it; later resubscriptions do not reset it. */
  granted: Deferred
}

type Attempt = { ok: true; sessionPresent: boolean } | { ok: false; reason: string; refused: boolean }

/**
 * One MQTT 3.1.1 connection of aws-crt kept alive: when it drops it is replaced by a new one after a
 * jittered backoff, its subscriptions are made again (clean session) and then the publishes that
 * waited are sent, so nothing the caller was promised is lost silently.
 */
export class ManagedConnection implements MqttConnection {
  current: ConnectionState = { state: 'connecting' }
  private readonly listeners = new Set<(state: ConnectionState) => void>()
  private readonly subscriptions = new Map<string, Subscription>()
  private readonly queue: PublishQueue
  private readonly address: string
  private prepared?: PreparedTarget
  private crt?: mqtt.MqttClientConnection
  /** Connected and resubscribed: publishes may go out. */
  private ready = false
  /** Bumped by every new CRT connection and every interruption: callbacks of older ones are ignored. */
  private generation = 0
  private failedAttempts = 0
  private retryTimer?: NodeJS.Timeout
  private readonly interruptions: number[] = []
  private closing = false
  private attempt: Promise<unknown> = Promise.resolve()
  private readonly disposals = new Set<Promise<void>>()

  constructor(
    readonly target: MqttTarget,
    private readonly client: mqtt.MqttClient,
    private readonly policy: ConnectionPolicy = defaultConnectionPolicy
  ) {
    this.address = addressOf(target.endpoint)
    this.queue = new PublishQueue(policy.offlineQueue, () => this.describeCurrent())
  }

  get identity(): ConnectionIdentity {
    return this.target.identity
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Connects the first time; rejects (and is closed) with the reason in plain words when that fails. */
  async open(): Promise<void> {
    try {
      this.prepared = await this.target.prepare()
    } catch (error) {
      this.finish((error as Error).message)
      throw error
    }
    const attempt = this.connectOnce()
    this.attempt = attempt
    const outcome = await attempt
    if (this.closing) throw new MqttConnectionError(`The connection of ${describeIdentity(this.identity)} was closed while it was opening`)
    if (!outcome.ok) {
      this.finish(outcome.reason)
      throw new MqttConnectionError(`Cannot connect ${describeIdentity(this.identity)} to ${this.address}: ${outcome.reason}`)
    }
    await this.connected(outcome.sessionPresent, false)
  }

  async subscribe(filter: string, qos: Qos, handler: Handler): Promise<() => Promise<void>> {
    if (this.closing) throw new MqttSubscribeError(`Not subscribed to ${filter}: ${this.describeCurrent()}`)
    let subscription = this.subscriptions.get(filter)
    if (!subscription || qos > subscription.qos) {
      subscription = { filter, qos, handlers: subscription?.handlers ?? new Set(), granted: deferred() }
      this.subscriptions.set(filter, subscription)
      // Not connected: the next connection subscribes it with the others.
      if (this.ready) void this.sendSubscribe(subscription, this.generation)
    }
    const { handlers, granted } = subscription
    handlers.add(handler)
    try {
      await granted.promise
    } catch (error) {
      handlers.delete(handler)
      throw error
    }
    let unsubscribed = false
    return async () => {
      if (unsubscribed) return
      unsubscribed = true
      handlers.delete(handler)
      if (handlers.size > 0 || this.subscriptions.get(filter)?.handlers !== handlers) return
      this.subscriptions.delete(filter)
      if (this.ready) await this.crt?.unsubscribe(filter).catch(() => undefined)
    }
  }

  publish(topic: string, payload: Uint8Array | string, options: { qos?: Qos; retain?: boolean } = {}): Promise<void> {
    if (this.closing) return Promise.reject(new MqttPublishError(`Not sent to ${topic}: ${this.describeCurrent()}`))
    const sent = this.queue.add({ topic, payload, qos: options.qos ?? 1, retain: options.retain ?? false })
    if (this.ready) this.flush()
    return sent
  }

  /** Disconnects and waits until aws-crt has let go of the connection. */
  async close(): Promise<void> {
    this.finish()
    await this.attempt.catch(() => undefined)
    await Promise.all(this.disposals)
  }

  private async connectOnce(): Promise<Attempt> {
    const generation = ++this.generation
    const crt = this.client.new_connection(this.prepared!.config)
    // Failures arrive through the promises; without a listener the CRT's 'error' event would throw.
    crt.on('error', () => {})
    crt.on('interrupt', (error) => {
      if (generation === this.generation) this.interrupted(error)
    })
    try {
      const sessionPresent = await crt.connect()
      if (generation !== this.generation) {
        this.dispose(crt)
        return { ok: false, reason: 'closed', refused: false }
      }
      this.crt = crt
      return { ok: true, sessionPresent }
    } catch (error) {
      // A connection that never connected does not reconnect; free its native part now.
      ;(crt as unknown as { close(): void }).close()
      const failure = describeCrtFailure(error, this.address)
      const explained = worthAsking(failure) ? await this.explain({ action: 'connect' }) : undefined
      return { ok: false, reason: explained ?? failure.words, refused: explained !== undefined }
    }
  }

  private async connected(sessionPresent: boolean, resumed: boolean): Promise<void> {
    this.failedAttempts = 0
    const generation = this.generation
    // Subscriptions first, then the waiting publishes: a reply to one of them is not missed.
    await Promise.all([...this.subscriptions.values()].map((subscription) => this.sendSubscribe(subscription, generation)))
    if (generation !== this.generation) return
    this.ready = true
    this.setState(resumed ? { state: 'resumed', sessionPresent } : { state: 'connected', sessionPresent })
    this.flush()
  }

  private async sendSubscribe(subscription: Subscription, generation: number): Promise<void> {
    const crt = this.crt
    if (!crt) return
    const { filter } = subscription
    try {
      const answer = await crt.subscribe(filter, subscription.qos, (topic, payload, _dup, qos, retain) =>
        this.deliver(filter, { topic, payload: new Uint8Array(payload), qos: qos === 0 ? 0 : 1, retain })
      )
      if (generation !== this.generation) return
      // SUBACK 0x80: refused (AWS closes the connection instead, but other brokers answer so).
      if ((answer.qos as number) === 128) this.refuse(subscription, (await this.explain({ action: 'subscribe', filter })) ?? 'the broker refused the subscription')
      else subscription.granted.resolve()
    } catch (error) {
      const failure = describeCrtFailure(error, this.address)
      if (failure.connectionLost || generation !== this.generation) {
        // AWS closes the connection on a SUBSCRIBE its policy refuses: ask; otherwise the next connection retries.
        const why = await this.explain({ action: 'subscribe', filter })
        if (why) this.refuse(subscription, why)
        return
      }
      this.refuse(subscription, failure.words)
    }
  }

  private refuse(subscription: Subscription, reason: string): void {
    if (this.subscriptions.get(subscription.filter) === subscription) this.subscriptions.delete(subscription.filter)
    subscription.granted.reject(new MqttSubscribeError(`Not subscribed to ${subscription.filter}: ${reason}`))
  }

  private deliver(filter: string, message: ReceivedMessage): void {
    for (const handler of [...(this.subscriptions.get(filter)?.handlers ?? [])]) {
      try {
        handler(message)
      } catch {
        // One subscriber's failure must not keep the message from the others.
      }
    }
  }

  private flush(): void {
    const crt = this.crt
    if (!crt || !this.ready) return
    const generation = this.generation
    for (const message of this.queue.takeWaiting()) this.send(crt, message, generation)
  }

  private send(crt: mqtt.MqttClientConnection, message: QueuedPublish, generation: number): void {
    crt.publish(message.topic, message.payload, message.qos, message.retain).then(
      () => this.queue.delivered(message),
      (error: unknown) => {
        const failure = describeCrtFailure(error, this.address)
        // Lost with the connection: interrupted() puts it back in the queue for the next one.
        if (failure.connectionLost || generation !== this.generation) return
        this.queue.failed(message, new MqttPublishError(`Not sent to ${message.topic}: ${failure.words}`))
      }
    )
  }

  private interrupted(error: unknown): void {
    const crt = this.crt
    this.crt = undefined
    this.ready = false
    this.generation++
    if (crt) this.dispose(crt)
    const failure = describeCrtFailure(error, this.address)
    const lost = this.queue.requeueInFlight()
    const now = Date.now()
    this.interruptions.push(now)
    while (this.interruptions[0]! < now - this.policy.reconnect.stormWindowMs) this.interruptions.shift()
    if (this.interruptions.length >= this.policy.reconnect.stormInterruptions) {
      this.finish(
        `the broker closed the connection ${this.interruptions.length} times within ${Math.round(this.policy.reconnect.stormWindowMs / 1000)} s: ` +
          `another client may be connected with client id "${this.identity.clientId}" (the broker drops the older one), or the policy refuses something this connection publishes or subscribes to`
      )
      return
    }
    this.setState({ state: 'interrupted', reason: failure.words })
    void this.rejectRefusedPublishes(lost)
    this.scheduleReconnect()
  }

  /** AWS closes the connection on a PUBLISH its policy refuses: those messages are rejected with the reason instead of retried. */
  private async rejectRefusedPublishes(lost: QueuedPublish[]): Promise<void> {
    for (const topic of new Set(lost.map((message) => message.topic))) {
      const why = await this.explain({ action: 'publish', topic })
      if (!why) continue
      for (const message of lost) if (message.topic === topic) this.queue.failed(message, new MqttPublishError(`Not sent to ${topic}: ${why}`))
    }
  }

  private scheduleReconnect(): void {
    const { initialDelayMs, maxDelayMs } = this.policy.reconnect
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** this.failedAttempts)
    // Half fixed, half random: connections dropped together (a broker restart) do not return together.
    const delay = base / 2 + (Math.random() * base) / 2
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.attempt = this.reconnect()
    }, delay)
  }

  private async reconnect(): Promise<void> {
    if (this.closing) return
    const outcome = await this.connectOnce()
    if (this.closing) return
    if (outcome.ok) return this.connected(outcome.sessionPresent, true)
    this.failedAttempts++
    // AWS says the connection is refused (certificate no longer active, policy changed): retrying cannot help.
    if (outcome.refused) return this.finish(outcome.reason)
    if (this.current.state !== 'interrupted' || this.current.reason !== outcome.reason) this.setState({ state: 'interrupted', reason: outcome.reason })
    this.scheduleReconnect()
  }

  private finish(reason?: string): void {
    if (this.closing) return
    this.closing = true
    this.ready = false
    this.generation++
    clearTimeout(this.retryTimer)
    const crt = this.crt
    this.crt = undefined
    if (crt) this.dispose(crt)
    this.setState(reason ? { state: 'closed', reason } : { state: 'closed' })
    const why = this.describeCurrent()
    this.queue.rejectAll(new MqttPublishError(`Not sent: ${why}`))
    for (const subscription of this.subscriptions.values()) subscription.granted.reject(new MqttSubscribeError(`Not subscribed to ${subscription.filter}: ${why}`))
    this.subscriptions.clear()
  }

  /** Disconnects a CRT connection; an interrupted one lets go at its next reconnect tick (1 s, see withSharedSettings). */
  private dispose(crt: mqtt.MqttClientConnection): void {
    const done: Promise<void> = Promise.race([
      crt.disconnect().catch(() => undefined),
      new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref())
    ]).then(() => {
      this.disposals.delete(done)
    })
    this.disposals.add(done)
  }

  private async explain(operation: RefusedOperation): Promise<string | undefined> {
    return (await this.prepared?.explain?.(operation).catch(() => undefined)) ?? undefined
  }

  private describeCurrent(): string {
    const state = this.current
    if (state.state === 'closed') return state.reason ? `the connection closed: ${state.reason}` : 'the connection was closed'
    if (state.state === 'interrupted') return `interrupted: ${state.reason}`
    return state.state
  }

  private setState(state: ConnectionState): void {
    this.current = state
    for (const listener of [...this.listeners]) listener(state)
  }
}

/** Network failures say why by themselves; a closed socket or failed handshake may be AWS refusing. */
function worthAsking(failure: CrtFailure): boolean {
  return failure.closedByBroker || failure.code === undefined || failure.code.startsWith('AWS_IO_TLS') || failure.code.startsWith('AWS_ERROR_HTTP')
}

export function describeIdentity(identity: ConnectionIdentity): string {
  return identity.kind === 'device'
    ? `thing ${identity.thingName}${identity.clientId === identity.thingName ? '' : ` (client id "${identity.clientId}")`}`
    : `operator client "${identity.clientId}"`
}

interface Deferred {
  promise: Promise<void>
  resolve(): void
  reject(error: Error): void
}

function deferred(): Deferred {
  let resolve!: () => void
  let reject!: (error: Error) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  // Settled also when nobody waits any more (a refused resubscription): never an unhandled rejection.
  promise.catch(() => undefined)
  return { promise, resolve, reject }
}
