import { defineStore } from 'pinia'
import { computed, onScopeDispose, ref, shallowRef } from 'vue'
import { maxShadowStateBytes, type JsonObject, type ShadowDocumentView, type ShadowKeyView, type ShadowUpdateOutcome } from '@contract/shadow'
import { useApi } from '../api/useApi'
import { changedLeafPaths, deltaOf, stateBytes } from './support/shadowDocument'
import { allPages, trackedCall } from './support/trackedCall'

/** How long a changed leaf stays highlighted. */
export const highlightMs = 4000

/** Whether the device is connected, from AWS's presence lifecycle events; unknown until one arrives. */
export type Presence =
  | { state: 'unknown' }
  | { state: 'online'; clientId: string; since: number }
  | { state: 'offline'; clientId: string; since: number; reason?: string }

export type ShadowSection = 'desired' | 'reported'

/**
 * The inspector's shadow: one shadow watched live (documents applied in version order, never by
 * arrival), the document before it for the diff, the device's presence, the thing's named shadows,
 * and the edits (update with the version, delete).
 */
export const useShadowStore = defineStore('shadow', () => {
  const api = useApi()

  const key = ref<ShadowKeyView | null>(null)
  const document = shallowRef<ShadowDocumentView | null>(null)
  const previous = shallowRef<ShadowDocumentView | null>(null)
  /** The newest version seen (a document, or a deletion): anything older is stale. */
  let newestVersion = -1
  const watchState = ref<'idle' | 'starting' | 'watching' | 'stopped'>('idle')
  /** The watch's last word on its connection, a gap, a deletion or its end, in plain words. */
  const watchMessage = ref('')
  const watchError = ref<unknown>(null)
  /** Leaf path -> the time its highlight ends (epoch ms). */
  const highlighted = shallowRef<ReadonlyMap<string, number>>(new Map())
  const presence = ref<Presence>({ state: 'unknown' })
  const presenceError = ref<unknown>(null)

  let watchId: string | null = null
  let presenceSubscriptionId: string | null = null
  let highlightTimer: ReturnType<typeof setTimeout> | undefined

  // ---- live document --------------------------------------------------------------------------

  function apply(next: ShadowDocumentView): void {
    if (next.version <= newestVersion) return
    newestVersion = next.version
    const before = document.value
    previous.value = before
    document.value = next
    if (before || watchState.value === 'watching') highlight(changedLeafPaths(before?.state ?? null, next.state))
  }

  function highlight(paths: string[]): void {
    if (!paths.length) return
    const until = Date.now() + highlightMs
    const now = Date.now()
    const kept = [...highlighted.value].filter(([, end]) => end > now)
    highlighted.value = new Map([...kept, ...paths.map((path) => [path, until] as const)])
    clearTimeout(highlightTimer)
    highlightTimer = setTimeout(() => (highlighted.value = new Map([...highlighted.value].filter(([, end]) => end > Date.now()))), highlightMs + 50)
  }

  function markDeleted(deletedVersion: number, message: string): void {
    watchMessage.value = message
    if (deletedVersion < newestVersion || !document.value) return
    newestVersion = deletedVersion
    previous.value = document.value
    document.value = null
  }

  const stopDocuments = api.on('shadow.document', (event) => {
    if (event.watchId === watchId) apply(event.document)
  })
  const stopStates = api.on('shadow.watchState', (event) => {
    if (event.watchId !== watchId) return
    watchMessage.value = event.message
    const change = event.change
    if (change.kind === 'deleted') markDeleted(change.version, event.message)
    else if (change.kind === 'stopped') {
      watchState.value = 'stopped'
      watchId = null
    } else if (change.kind === 'error') watchError.value = new Error(`${change.errorName}: ${event.message}`)
  })
  const stopMessages = api.on('mqtt.message', (message) => {
    if (message.subscriptionId !== presenceSubscriptionId || message.encoding !== 'utf8') return
    const event = parsePresence(message.payload)
    if (event) presence.value = event
  })
  const stopEnded = api.on('mqtt.subscriptionEnded', (event) => {
    if (event.subscriptionId !== presenceSubscriptionId) return
    presenceSubscriptionId = null
    presence.value = { state: 'unknown' }
    presenceError.value = new Error(`Device presence is no longer followed: ${event.message}`)
  })
  onScopeDispose(() => {
    stopDocuments()
    stopStates()
    stopMessages()
    stopEnded()
    clearTimeout(highlightTimer)
  })

  /** Watches `next` (ending the watch of the shadow before). The watchId is chosen first, so no event is missed. */
  async function open(next: ShadowKeyView): Promise<void> {
    await close()
    key.value = { ...next }
    const id = crypto.randomUUID()
    watchId = id
    newestVersion = -1
    document.value = null
    previous.value = null
    highlighted.value = new Map()
    watchMessage.value = ''
    watchError.value = null
    watchState.value = 'starting'
    void followPresence(next.thingName)
    try {
      const answer = await api.call('shadow.watch', { ...withKey(next), watchId: id })
      if (watchId !== id) return
      if (answer.document) apply(answer.document)
      watchState.value = 'watching'
    } catch (error) {
      if (watchId !== id) return
      watchId = null
      watchState.value = 'stopped'
      watchError.value = error
    }
  }

  async function followPresence(thingName: string): Promise<void> {
    presence.value = { state: 'unknown' }
    presenceError.value = null
    try {
      // The simulated device and most firmware use the thing name as the client id.
      const subscription = await api.call('mqtt.subscribe', { filter: `$aws/events/presence/+/${thingName}`, qos: 0, as: { operator: true } })
      if (key.value?.thingName !== thingName) await api.call('mqtt.unsubscribe', { subscriptionId: subscription.subscriptionId })
      else presenceSubscriptionId = subscription.subscriptionId
    } catch (error) {
      presenceError.value = error
    }
  }

  /** Stops watching (leaving the inspector): the watch and the presence subscription end. */
  async function close(): Promise<void> {
    const ending = watchId
    const subscription = presenceSubscriptionId
    watchId = null
    presenceSubscriptionId = null
    key.value = null
    watchState.value = 'idle'
    const calls: Promise<unknown>[] = []
    if (ending) calls.push(api.call('shadow.unwatch', { watchId: ending }))
    if (subscription) calls.push(api.call('mqtt.unsubscribe', { subscriptionId: subscription }))
    // Ended already (a connection change, the back end closing): nothing left to stop.
    await Promise.allSettled(calls)
  }

  const desired = computed<JsonObject | undefined>(() => document.value?.state.desired)
  const reported = computed<JsonObject | undefined>(() => document.value?.state.reported)
  const delta = computed<JsonObject | undefined>(() => document.value?.state.delta ?? deltaOf(desired.value, reported.value))
  const metadata = computed(() => document.value?.metadata ?? {})
  const version = computed(() => document.value?.version ?? null)
  const sizeBytes = computed(() => stateBytes(document.value))
  const sizeLimitBytes = maxShadowStateBytes

  // ---- edits ----------------------------------------------------------------------------------

  const updating = trackedCall()

  /**
   * Merges `patch` into a section (null clears a key) at `expectedVersion`. The outcome, a conflict
   * included, is the caller's to show; a refusal (a bad document, too large) is in updating.error.
   */
  async function update(section: ShadowSection, patch: JsonObject | null, expectedVersion: number | undefined): Promise<ShadowUpdateOutcome | null> {
    const target = key.value
    if (!target) return null
    let outcome: ShadowUpdateOutcome | null = null
    await updating.run(async () => {
      // The watch brings the new document.
      outcome = await api.call('shadow.update', { ...withKey(target), [section]: patch, ...(expectedVersion === undefined ? {} : { version: expectedVersion }) })
    })
    return outcome
  }

  const deleting = trackedCall()
  async function remove(): Promise<boolean> {
    const target = key.value
    if (!target) return false
    const done = await deleting.run(async () => {
      const { version: deletedAt } = await api.call('shadow.delete', withKey(target))
      // Over HTTP no delete/accepted reaches the watch: the answer is the deletion.
      if (key.value === target) markDeleted(deletedAt, `${describeKey(target)} was deleted (it was at version ${deletedAt})`)
    })
    if (done && target.shadowName) namedShadows.value = namedShadows.value.filter((name) => name !== target.shadowName)
    return done
  }

  // ---- the thing's named shadows ----------------------------------------------------------------

  const namedShadows = ref<string[]>([])
  const listing = trackedCall()
  async function loadNamedShadows(thingName: string): Promise<void> {
    await listing.run(async () => {
      const names = await allPages(async (nextToken) => {
        const page = await api.call('shadow.list', { thingName, ...(nextToken ? { nextToken } : {}) })
        return { items: page.shadowNames, nextToken: page.nextToken }
      })
      namedShadows.value = names.sort()
    })
  }

  /** A named shadow comes to exist with its first update. True when it was created. */
  const creating = trackedCall()
  async function createNamed(thingName: string, shadowName: string, desiredState: JsonObject): Promise<boolean> {
    return creating.run(async () => {
      const outcome = await api.call('shadow.update', { thingName, shadowName, desired: desiredState })
      if (outcome.outcome === 'conflict') throw new Error(outcome.message)
      if (!namedShadows.value.includes(shadowName)) namedShadows.value = [...namedShadows.value, shadowName].sort()
    })
  }

  return {
    key,
    document,
    previous,
    watchState,
    watchMessage,
    watchError,
    highlighted,
    presence,
    presenceError,
    desired,
    reported,
    delta,
    metadata,
    version,
    sizeBytes,
    sizeLimitBytes,
    open,
    close,
    update,
    updating: updating.pending,
    updateError: updating.error,
    remove,
    deleting: deleting.pending,
    deleteError: deleting.error,
    namedShadows,
    loadNamedShadows,
    listing: listing.pending,
    listError: listing.error,
    createNamed,
    creating: creating.pending,
    createError: creating.error
  }
})

/** "the classic shadow of lamp-1", "shadow "dimmer" of lamp-1". */
export function describeKey({ thingName, shadowName }: ShadowKeyView): string {
  return shadowName === undefined ? `The classic shadow of ${thingName}` : `Shadow "${shadowName}" of ${thingName}`
}

const withKey = ({ thingName, shadowName }: ShadowKeyView): ShadowKeyView => (shadowName === undefined ? { thingName } : { thingName, shadowName })

/** A presence lifecycle event's payload (AWS's connected / disconnected), or null for anything else. */
function parsePresence(payload: string): Presence | null {
  let event: { eventType?: unknown; clientId?: unknown; timestamp?: unknown; disconnectReason?: unknown }
  try {
    event = JSON.parse(payload) as typeof event
  } catch {
    return null
  }
  if (typeof event.clientId !== 'string' || typeof event.timestamp !== 'number') return null
  if (event.eventType === 'connected') return { state: 'online', clientId: event.clientId, since: event.timestamp }
  if (event.eventType === 'disconnected')
    return { state: 'offline', clientId: event.clientId, since: event.timestamp, ...(typeof event.disconnectReason === 'string' ? { reason: disconnectReasonInWords(event.disconnectReason) } : {}) }
  return null
}

/** AWS's disconnectReason values (life-cycle events) in plain words. */
export function disconnectReasonInWords(reason: string): string {
  const words: Record<string, string> = {
    CLIENT_INITIATED_DISCONNECT: 'the device disconnected itself',
    AUTH_ERROR: 'AWS refused its credentials or its policy denied it',
    CLIENT_ERROR: 'the device broke the MQTT protocol',
    CONNECTION_LOST: 'the connection was lost',
    DUPLICATE_CLIENTID: 'another client connected with the same client id',
    MQTT_KEEP_ALIVE_TIMEOUT: 'the device stopped answering keep-alives',
    SERVER_INITIATED_DISCONNECT: 'AWS closed the connection'
  }
  return words[reason] ?? reason
}
