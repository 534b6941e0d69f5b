import { defineStore } from 'pinia'
import { computed, onScopeDispose, reactive, ref, shallowRef } from 'vue'
import type { MqttConnectionState, MqttIdentity, MqttSubscriptionView, RefusableAction, RefusalExplanation, RetainedMessageView } from '@contract/mqtt'
import { ApiError } from '@contract/bridge'
import { useApi } from '../api/useApi'
import { encodePayload, guessFormat, type PayloadFormat } from './support/mqttPayload'
import { readRemembered, rememberedRef, writeRemembered } from './support/remembered'
import { RingBuffer } from './support/ringBuffer'
import { allPages, trackedCall } from './support/trackedCall'

/** The message log keeps the newest this many messages… */
export const messageLogCapacity = 10_000
/** …and at most this many payload characters (AWS allows 128 KB a message): the oldest go first. */
export const messageLogMaxChars = 32 * 1024 * 1024
/** The log is shown as a snapshot at most this often, however fast messages arrive. */
export const logRefreshMs = 100
/** Topics whose payload format is remembered (the least recently chosen is forgotten first). */
const rememberedFormats = 500
const formatsStorageKey = 'mqtt.payloadFormats'

/** Who subscribes or publishes: the operator (the connection's credentials) or a thing (its vault key). */
export type MqttActor = { operator: true } | { thingName: string }

/** A subscription the user made, remembered so a reload or restart subscribes to it again. */
export interface RememberedSubscription {
  filter: string
  qos: 0 | 1
  as: MqttActor
}

const isActor = (value: unknown): value is MqttActor =>
  typeof value === 'object' && value !== null && ((value as { operator?: unknown }).operator === true || typeof (value as { thingName?: unknown }).thingName === 'string')
const isSubscriptionList = (value: unknown): value is RememberedSubscription[] =>
  Array.isArray(value) &&
  value.every((entry) => typeof entry === 'object' && entry !== null && typeof entry.filter === 'string' && (entry.qos === 0 || entry.qos === 1) && isActor(entry.as))
const sameActor = (a: MqttActor, b: MqttActor) => ('operator' in a ? 'operator' in b : 'thingName' in b && a.thingName === b.thingName)
const describe = (error: unknown) => (error instanceof ApiError ? `${error.errorName}: ${error.message}` : error instanceof Error ? error.message : String(error))
const actorOf = (identity: MqttIdentity): MqttActor => (identity.kind === 'device' ? { thingName: identity.thingName } : { operator: true })

export interface LoggedMessage {
  seq: number
  /** Epoch ms, when the UI received it. */
  receivedAt: number
  topic: string
  payload: string
  encoding: 'utf8' | 'base64'
  qos: 0 | 1
  retain: boolean
  subscriptionId: string
  /** The subscription's filter, when it is still known. */
  filter?: string
}

/** A refused subscribe, publish or connection, with the policy's explanation where one could be had. */
export interface Refusal {
  action: RefusableAction
  thingName: string
  /** The topic (publish), the topic filter (subscribe) or the client id (connect). */
  resource: string
  error: unknown
  explanation: RefusalExplanation | null
  /** Why the policy could not be asked (no permission for TestAuthorization, say). */
  explanationError?: unknown
}

export interface PublishDraft {
  topic: string
  payload: string
  format: PayloadFormat
  qos: 0 | 1
  retain: boolean
  as: MqttActor
}

/**
 * The MQTT client: subscriptions as the operator or as a thing, a bounded message log shown in
 * snapshots (pause, search, a payload format remembered per topic, JSON lines export), publishing,
 * retained messages, and a refusal explained by policies.explainRefusal.
 */
export const useMqttStore = defineStore('mqtt', () => {
  const api = useApi()

  const subscriptions = ref<MqttSubscriptionView[]>([])
  const subscribing = trackedCall()
  const publishing = trackedCall()
  const retainedLoad = trackedCall()
  const refusal = shallowRef<Refusal | null>(null)
  /** The last word of each connection the back end holds, by client id. */
  const connections = ref<Record<string, { identity: MqttIdentity; state: MqttConnectionState; message: string }>>({})
  /** Why subscriptions ended without being asked to (connection closed or changed). */
  const notices = ref<string[]>([])
  const retained = shallowRef<RetainedMessageView[]>([])
  const rememberedSubscriptions = rememberedRef<RememberedSubscription[]>('mqtt.subscriptions', [], isSubscriptionList)
  let restored = false

  // ---- the log ----------------------------------------------------------------------------------

  const buffer = new RingBuffer<LoggedMessage>(messageLogCapacity)
  let bufferedChars = 0
  let nextSeq = 1
  /** What the view shows, newest first: replaced at most every logRefreshMs, never while paused. */
  const log = shallowRef<readonly LoggedMessage[]>([])
  const received = ref(0)
  const dropped = ref(0)
  const paused = ref(false)
  /** Messages that arrived since the log was paused (they are kept, and shown on resume). */
  const arrivedWhilePaused = ref(0)
  const search = ref('')
  let refreshTimer: ReturnType<typeof setTimeout> | undefined

  function record(message: Omit<LoggedMessage, 'seq' | 'receivedAt'>): void {
    if (buffer.size === buffer.capacity) bufferedChars -= buffer.shift()!.payload.length
    buffer.push({ ...message, seq: nextSeq++, receivedAt: Date.now() })
    bufferedChars += message.payload.length
    while (bufferedChars > messageLogMaxChars && buffer.size > 1) bufferedChars -= buffer.shift()!.payload.length
    received.value++
    if (paused.value) arrivedWhilePaused.value++
    else refreshTimer ??= setTimeout(refresh, logRefreshMs)
  }

  function refresh(): void {
    clearTimeout(refreshTimer)
    refreshTimer = undefined
    if (paused.value) return
    log.value = buffer.toArray().reverse()
    dropped.value = buffer.dropped
  }

  function setPaused(next: boolean): void {
    paused.value = next
    if (!next) {
      arrivedWhilePaused.value = 0
      refresh()
    }
  }

  function clearLog(): void {
    buffer.clear()
    bufferedChars = 0
    arrivedWhilePaused.value = 0
    refresh()
  }

  const filtered = computed(() => {
    const needle = search.value.trim().toLowerCase()
    if (!needle) return log.value
    return log.value.filter((m) => m.topic.toLowerCase().includes(needle) || m.payload.toLowerCase().includes(needle))
  })

  /** The shown (searched) messages as JSON lines, oldest first. */
  function exportJsonLines(): string {
    return [...filtered.value]
      .reverse()
      .map((m) => JSON.stringify({ time: new Date(m.receivedAt).toISOString(), topic: m.topic, qos: m.qos, retain: m.retain, encoding: m.encoding, payload: m.payload }))
      .join('\n')
      .concat(filtered.value.length > 0 ? '\n' : '')
  }

  // ---- payload format per topic ------------------------------------------------------------------

  const formats = reactive(new Map<string, PayloadFormat>(storedFormats()))

  function formatOf(message: Pick<LoggedMessage, 'topic' | 'payload' | 'encoding'>): PayloadFormat {
    return formats.get(message.topic) ?? guessFormat(message)
  }

  function setFormat(topic: string, format: PayloadFormat): void {
    formats.delete(topic)
    formats.set(topic, format)
    while (formats.size > rememberedFormats) formats.delete(formats.keys().next().value!)
    // Storage may be unavailable: the choice then lasts until the page is reloaded.
    writeRemembered(formatsStorageKey, [...formats])
  }

  // ---- events ----------------------------------------------------------------------------------------

  const stops = [
    api.on('mqtt.message', (message) => {
      const subscription = subscriptions.value.find((s) => s.subscriptionId === message.subscriptionId)
      if (!subscription) return
      record({ ...message, filter: subscription.filter })
    }),
    api.on('mqtt.subscriptionEnded', ({ subscriptionId, message }) => {
      if (!subscriptions.value.some((s) => s.subscriptionId === subscriptionId)) return
      subscriptions.value = subscriptions.value.filter((s) => s.subscriptionId !== subscriptionId)
      notices.value = [...notices.value.slice(-9), message]
    }),
    api.on('mqtt.connectionState', ({ identity, state, message }) => {
      connections.value = { ...connections.value, [identity.clientId]: { identity, state, message } }
      // Closed with a reason: given up on, e.g. a reconnect the policy refused (a plain release has no reason).
      if (identity.kind === 'device' && state.state === 'closed' && state.reason) void explainRefusedConnection(identity.thingName, identity.clientId, new Error(message))
    })
  ]
  onScopeDispose(() => {
    stops.forEach((stop) => stop())
    clearTimeout(refreshTimer)
  })

  // ---- actions -------------------------------------------------------------------------------------

  function subscribe(filter: string, qos: 0 | 1, as: MqttActor): Promise<boolean> {
    refusal.value = null
    return subscribing.run(async () => {
      try {
        const view = await api.call('mqtt.subscribe', { filter, qos, as })
        subscriptions.value = [...subscriptions.value, view]
        const others = rememberedSubscriptions.value.filter((r) => !(r.filter === filter && sameActor(r.as, as)))
        rememberedSubscriptions.value = [...others, { filter, qos, as: 'operator' in as ? { operator: true } : { thingName: as.thingName } }]
      } catch (error) {
        await explainIfRefused(error, 'subscribe', filter, as)
        throw error
      }
    })
  }

  async function unsubscribe(subscriptionId: string): Promise<boolean> {
    return subscribing.run(async () => {
      await api.call('mqtt.unsubscribe', { subscriptionId })
      const ended = subscriptions.value.find((s) => s.subscriptionId === subscriptionId)
      subscriptions.value = subscriptions.value.filter((s) => s.subscriptionId !== subscriptionId)
      if (ended) rememberedSubscriptions.value = rememberedSubscriptions.value.filter((r) => !(r.filter === ended.filter && sameActor(r.as, actorOf(ended.identity))))
    })
  }

  /**
   * Subscribes again to what was remembered (once, when the client first opens after a reload or
   * restart). One that is refused now is forgotten, and the notices say so with the reason.
   */
  async function restoreSubscriptions(): Promise<void> {
    if (restored) return
    restored = true
    for (const entry of [...rememberedSubscriptions.value]) {
      if (subscriptions.value.some((s) => s.filter === entry.filter && sameActor(actorOf(s.identity), entry.as))) continue
      // A plain copy: the remembered list is reactive, and a proxy cannot cross to the back end.
      if (await subscribe(entry.filter, entry.qos, 'operator' in entry.as ? { operator: true } : { thingName: entry.as.thingName })) continue
      rememberedSubscriptions.value = rememberedSubscriptions.value.filter((r) => r !== entry && !(r.filter === entry.filter && sameActor(r.as, entry.as)))
      notices.value = [...notices.value.slice(-9), `Not subscribed again to ${entry.filter}: ${describe(subscribing.error.value)}`]
    }
  }

  /** Ends every subscription of this client (the back end's connections close when nobody holds them). */
  async function unsubscribeAll(): Promise<void> {
    for (const { subscriptionId } of subscriptions.value) await unsubscribe(subscriptionId)
  }

  function publish(draft: PublishDraft): Promise<boolean> {
    refusal.value = null
    return publishing.run(async () => {
      // A payload that is not what its format says is refused here, before anything is sent.
      const encoded = encodePayload(draft.payload, draft.format)
      try {
        await api.call('mqtt.publish', { topic: draft.topic, ...encoded, qos: draft.qos, retain: draft.retain, as: draft.as })
      } catch (error) {
        await explainIfRefused(error, 'publish', draft.topic, draft.as)
        throw error
      }
    })
  }

  function loadRetained(): Promise<boolean> {
    return retainedLoad.run(async () => {
      const all = await allPages(async (nextToken) => {
        const page = await api.call('mqtt.listRetained', { maxResults: 200, nextToken })
        return { items: page.messages, nextToken: page.nextToken }
      })
      retained.value = all.sort((a, b) => a.topic.localeCompare(b.topic))
    })
  }

  /**
   * A thing's refused subscribe or publish, asked of the policy (TestAuthorization): the error alone
   * says only that it was refused. An operator's refusal is IAM's, which TestAuthorization cannot judge.
   * When the thing could not even connect, the question is the connection's, not the topic's.
   */
  async function explainIfRefused(error: unknown, action: RefusableAction, resource: string, as: MqttActor): Promise<void> {
    if (!('thingName' in as)) return
    if (error instanceof ApiError && error.errorName === 'MqttConnectionError') {
      await explainRefusedConnection(as.thingName, clientIdOf(as.thingName), error)
      return
    }
    refusal.value = { action, thingName: as.thingName, resource, error, ...(await explanationOf(as.thingName, action, resource)) }
  }

  /**
   * A thing's connection that failed or was given up on, shown as a refusal only when the policy
   * denies iot:Connect for its client id: anything else (no network, an inactive certificate) is
   * not the policy's doing, and its error says so by itself.
   */
  async function explainRefusedConnection(thingName: string, clientId: string, error: unknown): Promise<void> {
    const asked = await explanationOf(thingName, 'connect', clientId)
    if (asked.explanation) refusal.value = { action: 'connect', thingName, resource: clientId, error, ...asked }
  }

  /** The policy's word on a refusal: none when it allows the action, or the error when it cannot be asked (no permission, say). */
  async function explanationOf(thingName: string, action: RefusableAction, resource: string): Promise<{ explanation: RefusalExplanation | null; explanationError?: unknown }> {
    try {
      const explanation = await api.call('policies.explainRefusal', { thingName, action, resource, ...(action === 'connect' ? { clientId: resource } : {}) })
      return { explanation: explanation.decision === 'ALLOWED' ? null : explanation }
    } catch (explanationError) {
      return { explanation: null, explanationError }
    }
  }

  /** The client id a thing connects with: the one its connection reported, else its name (the back end's default). */
  function clientIdOf(thingName: string): string {
    const known = Object.values(connections.value).find(({ identity }) => identity.kind === 'device' && identity.thingName === thingName)
    return known?.identity.clientId ?? thingName
  }

  return {
    subscriptions,
    subscribing: subscribing.pending,
    subscribeError: subscribing.error,
    publishing: publishing.pending,
    publishError: publishing.error,
    refusal,
    connections,
    notices,
    retained,
    retainedLoading: retainedLoad.pending,
    retainedError: retainedLoad.error,
    log,
    filtered,
    received,
    dropped,
    paused,
    arrivedWhilePaused,
    search,
    subscribe,
    unsubscribe,
    unsubscribeAll,
    rememberedSubscriptions,
    restoreSubscriptions,
    publish,
    loadRetained,
    setPaused,
    clearLog,
    refresh,
    exportJsonLines,
    formatOf,
    setFormat
  }
})

function storedFormats(): Array<[string, PayloadFormat]> {
  const isFormatList = (value: unknown): value is Array<[string, PayloadFormat]> =>
    Array.isArray(value) && value.every((entry) => Array.isArray(entry) && typeof entry[0] === 'string' && ['json', 'text', 'hex'].includes(entry[1] as string))
  return readRemembered(formatsStorageKey, [], isFormatList)
}
