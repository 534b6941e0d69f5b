import type { Qos } from './connection'

/** A publish that could not be delivered: the queue was full, it waited too long, the policy refused it or the connection closed. */
export class MqttPublishError extends Error {
  override name = 'MqttPublishError'
}

export interface OutgoingMessage {
  topic: string
  payload: Uint8Array | string
  qos: Qos
  retain: boolean
}

export interface QueuedPublish extends OutgoingMessage {
  readonly seq: number
}

interface Entry extends QueuedPublish {
  resolve(): void
  reject(error: Error): void
  timer: NodeJS.Timeout
  inFlight: boolean
  /** Its wait ran out while it was on the wire; if that attempt is lost it is not retried. */
  expired: boolean
}

export interface PublishQueueLimits {
  /** Messages that may wait for the connection at once; one more is rejected at once. */
  maxMessages: number
  /** How long a message may wait before it is rejected. */
  maxWaitMs: number
}

/**
 * Publishes in order: those waiting for the connection (bounded in number and in time) and those on
 * the wire. A message on the wire when the connection drops goes back to the front, so a QoS 1
 * message is retried on the next connection until the broker acknowledges it.
 */
export class PublishQueue {
  private waiting: Entry[] = []
  private readonly inFlight = new Set<Entry>()
  private seq = 0

  constructor(
    private readonly limits: PublishQueueLimits,
    /** Why messages are waiting, for the rejection texts ("interrupted: the broker closed the connection"). */
    private readonly whyWaiting: () => string
  ) {}

  get waitingCount(): number {
    return this.waiting.length
  }

  add(message: OutgoingMessage): Promise<void> {
    if (this.waiting.length >= this.limits.maxMessages)
      return Promise.reject(
        new MqttPublishError(
          `Not sent to ${message.topic}: the offline queue is full (${this.limits.maxMessages} messages already wait while the connection is ${this.whyWaiting()})`
        )
      )
    return new Promise<void>((resolve, reject) => {
      const entry: Entry = { ...message, seq: this.seq++, resolve, reject, inFlight: false, expired: false, timer: undefined as unknown as NodeJS.Timeout }
      entry.timer = setTimeout(() => this.timedOut(entry), this.limits.maxWaitMs)
      this.waiting.push(entry)
    })
  }

  /** The waiting messages, oldest first, now on the wire. */
  takeWaiting(): QueuedPublish[] {
    const taken = this.waiting
    this.waiting = []
    for (const entry of taken) {
      entry.inFlight = true
      this.inFlight.add(entry)
    }
    return taken
  }

  delivered(message: QueuedPublish): void {
    const entry = message as Entry
    if (!this.inFlight.delete(entry)) return
    clearTimeout(entry.timer)
    entry.resolve()
  }

  failed(message: QueuedPublish, error: Error): void {
    const entry = message as Entry
    if (!this.inFlight.delete(entry) && !this.removeWaiting(entry)) return
    clearTimeout(entry.timer)
    entry.reject(error)
  }

  /** The connection dropped: what was on the wire waits again, in its order; returns those messages. */
  requeueInFlight(): QueuedPublish[] {
    const back = [...this.inFlight].sort((a, b) => a.seq - b.seq)
    this.inFlight.clear()
    const kept: Entry[] = []
    for (const entry of back) {
      entry.inFlight = false
      if (entry.expired) this.expire(entry)
      else kept.push(entry)
    }
    this.waiting = [...kept, ...this.waiting]
    return kept
  }

  /** Rejects every message, waiting or on the wire (the connection is closing). */
  rejectAll(error: Error): void {
    const all = [...this.inFlight, ...this.waiting]
    this.inFlight.clear()
    this.waiting = []
    for (const entry of all) {
      clearTimeout(entry.timer)
      entry.reject(error)
    }
  }

  private timedOut(entry: Entry): void {
    if (entry.inFlight) entry.expired = true
    else if (this.removeWaiting(entry)) this.expire(entry)
  }

  private expire(entry: Entry): void {
    clearTimeout(entry.timer)
    entry.reject(new MqttPublishError(`Not sent to ${entry.topic} within ${Math.round(this.limits.maxWaitMs / 100) / 10} s: the connection is ${this.whyWaiting()}`))
  }

  private removeWaiting(entry: Entry): boolean {
    const index = this.waiting.indexOf(entry)
    if (index < 0) return false
    this.waiting.splice(index, 1)
    return true
  }
}
