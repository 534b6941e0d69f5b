import type { ConnectionState, MqttConnection, ReceivedMessage } from '../mqtt/connection'
import { ShadowClient } from './client'
import { describeShadow, isJsonObject, type ShadowDelta, type ShadowDocument, type ShadowDocuments, type ShadowKey } from './document'
import { ShadowError } from './errors'
import { EventQueue } from './eventQueue'
import { checkShadowKey } from './names'
import { deltaTopic, documentsTopic, responseTopic } from './topics'
import { parseAnswer } from './transport'

// A live view of one shadow: its documents in version order. AWS does not guarantee the order of
// shadow messages (research/iot-core.md §1.7), so anything at or below the last version seen is
// dropped; a jump past the next version means messages were missed, so the watch says so and gets
// the shadow again. Sources: update/documents (every accepted update, MQTT or HTTP), get/accepted
// (anyone's get, with the delta), update/delta, delete/accepted; it starts with a get of its own.

export type ShadowWatchEvent =
  /**
   * The shadow at a newer version. From a get it has the delta; from update/documents, `previous` too,
   * and the clientToken of the update that made it (who changed it).
   */
  | { type: 'document'; source: 'get' | 'documents'; document: ShadowDocument; previous?: ShadowDocument | null; clientToken?: string }
  | { type: 'delta'; delta: ShadowDelta }
  | { type: 'deleted'; version: number }
  /** The first get found no shadow. */
  | { type: 'absent' }
  /** Versions after `lastVersion` and before `receivedVersion` were missed; a get follows. */
  | { type: 'gap'; lastVersion: number; receivedVersion: number }
  | { type: 'connection'; state: ConnectionState }
  | { type: 'error'; error: ShadowError }

export interface ShadowWatchOptions {
  /** How long a get may take (MQTT); default 10 s. */
  timeoutMs?: number
}

export class ShadowWatch implements AsyncIterable<ShadowWatchEvent> {
  /** The version of the last document (or delete) passed on; 0 before the first. */
  lastVersion = 0
  /** How many documents and deltas were dropped as stale or duplicate. */
  dropped = 0
  private lastDeltaVersion = 0
  private deletedAt: number | undefined
  private readonly listeners = new Set<(event: ShadowWatchEvent) => void>()
  private readonly queue = new EventQueue<ShadowWatchEvent>()
  private readonly unsubscribes: Array<() => Promise<void>> = []
  private stopWatchingState: (() => void) | undefined
  private resyncing: Promise<void> | undefined
  private stopped = false

  private constructor(
    private readonly connection: MqttConnection,
    readonly key: ShadowKey,
    private readonly client: ShadowClient
  ) {}

  /**
   * Subscribes to the shadow's topics, then gets it; resolves once the first get answered (the
   * document or `absent` is the first event). Rejects, subscribing to nothing, when the
   * connection refuses the subscriptions (on AWS: the policy does not allow them, and the
   * connection is closed).
   */
  static async start(connection: MqttConnection, key: ShadowKey, options: ShadowWatchOptions = {}): Promise<ShadowWatch> {
    checkShadowKey(key, 'mqtt')
    const watch = new ShadowWatch(connection, key, ShadowClient.overMqtt(connection, options))
    try {
      await watch.subscribe()
    } catch (error) {
      await watch.stop()
      throw error instanceof ShadowError ? error : watch.refused(error)
    }
    watch.stopWatchingState = connection.onState((state) => watch.onState(state))
    try {
      await watch.resync(true)
    } catch (error) {
      await watch.stop()
      throw error
    }
    return watch
  }

  /** Calls `listener` on every event from now on; returns the function that stops it. */
  on(listener: (event: ShadowWatchEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Every event since the watch started, in order (one consumer). */
  [Symbol.asyncIterator](): AsyncIterator<ShadowWatchEvent> {
    return this.queue[Symbol.asyncIterator]()
  }

  /** Unsubscribes and ends the stream; safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.stopWatchingState?.()
    this.listeners.clear()
    this.queue.end()
    const unsubscribes = this.unsubscribes.splice(0)
    await Promise.all([...unsubscribes.map((unsubscribe) => unsubscribe().catch(() => undefined)), this.client.close()])
  }

  private async subscribe(): Promise<void> {
    const topics: Array<[string, (body: Record<string, unknown>) => void]> = [
      [documentsTopic(this.key), (body) => this.onDocuments(body)],
      [deltaTopic(this.key), (body) => this.onDelta(body)],
      [responseTopic(this.key, 'get', 'accepted'), (body) => this.onDocument(body, 'get')],
      [responseTopic(this.key, 'delete', 'accepted'), (body) => this.onDeleted(body)]
    ]
    const results = await Promise.allSettled(
      topics.map(([topic, handle]) =>
        this.connection.subscribe(topic, 1, (message: ReceivedMessage) => {
          const body = parseAnswer(message.payload)
          if (body !== undefined && !this.stopped) handle(body)
        })
      )
    )
    for (const result of results) if (result.status === 'fulfilled') this.unsubscribes.push(result.value)
    const failed = results.find((result) => result.status === 'rejected')
    if (failed) throw failed.reason
  }

  /** Gets the shadow and passes it on if newer; the first get reports a missing shadow as `absent`. */
  private resync(first = false): Promise<void> {
    this.resyncing ??= this.client
      .get(this.key)
      .then(
        (document) => this.onDocument(document as unknown as Record<string, unknown>, 'get'),
        (error: unknown) => {
          if (error instanceof ShadowError && error.code === 404) {
            if (first) this.emit({ type: 'absent' })
          } else if (first) throw error
          else this.emit({ type: 'error', error: error instanceof ShadowError ? error : this.refused(error) })
        }
      )
      .finally(() => (this.resyncing = undefined))
    return this.resyncing
  }

  private onDocuments(body: Record<string, unknown>): void {
    const documents = body as unknown as ShadowDocuments
    if (!isDocument(documents.current)) return
    if (!this.isNewer(documents.current.version, true)) return
    const { clientToken } = documents
    this.emit({ type: 'document', source: 'documents', document: documents.current, previous: documents.previous ?? null, ...(typeof clientToken === 'string' ? { clientToken } : {}) })
  }

  private onDocument(body: Record<string, unknown>, source: 'get'): void {
    if (!isDocument(body)) return
    // A get's answer is the shadow as it is: no reason to get it again on a jump.
    if (!this.isNewer(body.version, false)) return
    this.emit({ type: 'document', source, document: body })
  }

  private onDelta(body: Record<string, unknown>): void {
    const delta = body as unknown as ShadowDelta
    if (typeof delta.version !== 'number' || !isJsonObject(delta.state)) return
    // A delta older than the document already shown, or one already passed on, is stale.
    if (delta.version <= this.lastDeltaVersion || delta.version < this.lastVersion) {
      this.dropped++
      return
    }
    this.lastDeltaVersion = delta.version
    this.emit({ type: 'delta', delta })
  }

  private onDeleted(body: Record<string, unknown>): void {
    const version = body.version
    // delete/accepted carries the deleted document's version: the version already seen, or later.
    if (typeof version !== 'number' || version < this.lastVersion || this.deletedAt === version) return
    this.deletedAt = version
    this.lastVersion = version
    this.emit({ type: 'deleted', version })
  }

  /** Moves `lastVersion` forward when `version` is newer; a jump is reported (and, for a notification, re-got). */
  private isNewer(version: number, resyncOnGap: boolean): boolean {
    if (version <= this.lastVersion) {
      this.dropped++
      return false
    }
    const last = this.lastVersion
    this.lastVersion = version
    if (last > 0 && version > last + 1) {
      this.emit({ type: 'gap', lastVersion: last, receivedVersion: version })
      if (resyncOnGap) void this.resync()
    }
    return true
  }

  private onState(state: ConnectionState): void {
    this.emit({ type: 'connection', state })
    // Messages may have been missed while disconnected.
    if (state.state === 'resumed') void this.resync()
    if (state.state === 'closed') {
      this.emit({ type: 'error', error: this.refused(undefined, state) })
      void this.stop()
    }
  }

  private emit(event: ShadowWatchEvent): void {
    if (this.stopped) return
    this.queue.push(event)
    for (const listener of this.listeners) listener(event)
  }

  private refused(cause: unknown, state: ConnectionState = this.connection.current): ShadowError {
    // The refusal's own words first: they name the policy's reason, where the state only says the connection dropped.
    const reason = cause instanceof Error ? cause.message : 'reason' in state && state.reason ? state.reason : 'no reason given'
    return new ShadowError(
      'ConnectionClosed',
      `The MQTT connection closed while watching ${describeShadow(this.key)} (${reason}). AWS IoT closes the connection when its policy does not allow a subscribe: check that the policy allows iot:Subscribe and iot:Receive on the shadow's update/documents, update/delta, get/accepted and delete/accepted topics.`,
      'mqtt',
      undefined,
      { cause }
    )
  }
}

function isDocument(value: unknown): value is ShadowDocument {
  return isJsonObject(value) && typeof value.version === 'number' && (value.state === undefined || isJsonObject(value.state))
}

/** Starts a ShadowWatch on `connection` (see ShadowWatch.start). */
export function watchShadow(connection: MqttConnection, key: ShadowKey, options: ShadowWatchOptions = {}): Promise<ShadowWatch> {
  return ShadowWatch.start(connection, key, options)
}
