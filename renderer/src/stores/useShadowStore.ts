import { defineStore } from 'pinia'
import { computed, onScopeDispose, ref, shallowReactive, shallowRef, type Ref, type ShallowRef } from 'vue'
import { ApiError } from '@contract/bridge'
import { maxShadowStateBytes, type JsonObject, type ShadowDocumentView, type ShadowKeyView, type ShadowUpdateOutcome } from '@contract/shadow'
import { useApi } from '../api/useApi'
import { rememberedRef } from './support/remembered'
import { changedLeafPaths, deltaOf, stateBytes } from './support/shadowDocument'
import { allPages, trackedCall } from './support/trackedCall'
import { shadowIdOf } from './support/shadowId'

/** How long a changed leaf stays highlighted. */
export const highlightMs = 4000

/** Whether the device is connected, from AWS's presence lifecycle events; unknown until one arrives. */
export type Presence =
  | { state: 'unknown' }
  | { state: 'online'; clientId: string; since: number }
  | { state: 'offline'; clientId: string; since: number; reason?: string }

export type ShadowSection = 'desired' | 'reported'


/** What the editor held for a tab, so switching back finds the person's unsent work. */
export interface EditorDraft {
  section: ShadowSection
  text: string
  baseVersion: number | null
  dirty: boolean
}

/** One open shadow: its own watch, presence subscription, document and edits' progress. */
interface ShadowSession {
  id: string
  key: ShadowKeyView
  document: ShallowRef<ShadowDocumentView | null>
  previous: ShallowRef<ShadowDocumentView | null>
  /** The newest version seen (a document, or a deletion): anything older is stale. */
  newestVersion: number
  watchState: Ref<'idle' | 'starting' | 'watching' | 'stopped'>
  /** The watch's last word on its connection, a gap, a deletion or its end, in plain words. */
  watchMessage: Ref<string>
  watchError: Ref<unknown>
  /** Leaf path -> the time its highlight ends (epoch ms). */
  highlighted: ShallowRef<ReadonlyMap<string, number>>
  presence: Ref<Presence>
  presenceError: Ref<unknown>
  /** Versions that arrived while another tab was in front. */
  unseen: Ref<number>
  watchId: string | null
  presenceSubscriptionId: string | null
  highlightTimer: ReturnType<typeof setTimeout> | undefined
  /** Ended (its tab closed, or the inspector left): late answers are not applied. */
  ended: boolean
  /** Versions received since the last frame, folded in version order, for the next frame to show. */
  pending: PendingVersions | null
  updating: ReturnType<typeof trackedCall>
  deleting: ReturnType<typeof trackedCall>
  draft: EditorDraft | null
  /** The watch being started, for a second open() to wait on. */
  started: Promise<void>
}

/** What a frame shows of the versions that arrived since the last: the newest, and every leaf any of them changed. */
interface PendingVersions {
  document: ShadowDocumentView
  /** The document shown before them: the diff's other side. */
  shown: ShadowDocumentView | null
  changed: Set<string>
  count: number
}

/** The next frame (a timer where there are no frames). */
const nextFrame = (run: () => void): void => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run)
  else setTimeout(run, 16)
}

const isKeyList = (value: unknown): value is ShadowKeyView[] =>
  Array.isArray(value) &&
  value.every((k) => typeof k === 'object' && k !== null && typeof (k as ShadowKeyView).thingName === 'string' && ((k as ShadowKeyView).shadowName === undefined || typeof (k as ShadowKeyView).shadowName === 'string'))
const isTabId = (value: unknown): value is string | null => value === null || typeof value === 'string'

/**
 * The inspector's shadows, one tab each: every open shadow is watched live (documents applied in
 * version order, never by arrival) with the document before it for the diff, the device's
 * presence, and its edits (update with the version, delete); plus the thing's named shadows.
 *
 * Why one store with a session per tab rather than a store instance per shadow: the inspector's
 * components (and the history panel's metrics) read `useShadowStore()` and mean "the shadow in
 * front". So the sessions live in a map keyed by thing+shadow, and the store's top-level state is
 * the active session's: switching tabs only changes which session that is, while every session
 * keeps its watch and its document current in the background. The open tabs and the active one
 * are remembered across reloads and restarts.
 */
export const useShadowStore = defineStore('shadow', () => {
  const api = useApi()

  const tabs = rememberedRef<ShadowKeyView[]>('shadow.tabs', [], isKeyList)
  const activeId = rememberedRef<string | null>('shadow.activeTab', null, isTabId)
  const sessions = shallowReactive(new Map<string, ShadowSession>())
  const active = computed(() => (activeId.value === null ? undefined : sessions.get(activeId.value)))

  function createSession(next: ShadowKeyView): ShadowSession {
    const session: ShadowSession = {
      id: shadowIdOf(next),
      key: withKey(next),
      document: shallowRef(null),
      previous: shallowRef(null),
      newestVersion: -1,
      watchState: ref('idle'),
      watchMessage: ref(''),
      watchError: ref(null),
      highlighted: shallowRef(new Map()),
      presence: ref({ state: 'unknown' }),
      presenceError: ref(null),
      unseen: ref(0),
      watchId: null,
      presenceSubscriptionId: null,
      highlightTimer: undefined,
      ended: false,
      pending: null,
      updating: trackedCall(),
      deleting: trackedCall(),
      draft: null,
      started: Promise.resolve()
    }
    sessions.set(session.id, session)
    return session
  }

  const sessionOfWatch = (watchId: string) => [...sessions.values()].find((s) => s.watchId === watchId)
  const sessionOfPresence = (subscriptionId: string) => [...sessions.values()].find((s) => s.presenceSubscriptionId === subscriptionId)

  // ---- live documents -------------------------------------------------------------------------

  /**
   * Takes a version in: a newer one than any seen joins the versions the next frame shows (200
   * updates a second are one render a frame, not one each); an older one is stale and dropped.
   * The leaves each version changed are gathered as it comes, so none goes unhighlighted.
   */
  function receive(session: ShadowSession, next: ShadowDocumentView): void {
    if (next.version <= session.newestVersion) return
    session.newestVersion = next.version
    const pending = session.pending
    const shown = pending ? pending.shown : session.document.value
    const changed = pending?.changed ?? new Set<string>()
    for (const path of changedLeafPaths((pending?.document ?? shown)?.state ?? null, next.state)) changed.add(path)
    session.pending = { document: next, shown, changed, count: (pending?.count ?? 0) + 1 }
    if (!pending) nextFrame(() => show(session))
  }

  /** Shows the newest of the versions received since the last frame, diffed against the one shown before. */
  function show(session: ShadowSession): void {
    const pending = session.pending
    if (!pending || session.ended) return
    session.pending = null
    session.previous.value = pending.shown
    session.document.value = pending.document
    if (pending.shown || session.watchState.value === 'watching') {
      highlight(session, [...pending.changed])
      if (activeId.value !== session.id) session.unseen.value += pending.count
    }
  }

  /** Takes a version in and shows it now (a watch's first document). */
  function apply(session: ShadowSession, next: ShadowDocumentView): void {
    receive(session, next)
    show(session)
  }

  function highlight(session: ShadowSession, paths: string[]): void {
    if (!paths.length) return
    const until = Date.now() + highlightMs
    const now = Date.now()
    const kept = [...session.highlighted.value].filter(([, end]) => end > now)
    session.highlighted.value = new Map([...kept, ...paths.map((path) => [path, until] as const)])
    clearTimeout(session.highlightTimer)
    session.highlightTimer = setTimeout(
      () => (session.highlighted.value = new Map([...session.highlighted.value].filter(([, end]) => end > Date.now()))),
      highlightMs + 50
    )
  }

  function markDeleted(session: ShadowSession, deletedVersion: number, message: string): void {
    session.watchMessage.value = message
    show(session)
    if (deletedVersion < session.newestVersion || !session.document.value) return
    session.newestVersion = deletedVersion
    session.previous.value = session.document.value
    session.document.value = null
  }

  const stopDocuments = api.on('shadow.document', (event) => {
    const session = sessionOfWatch(event.watchId)
    if (session) receive(session, event.document)
  })
  const stopStates = api.on('shadow.watchState', (event) => {
    const session = sessionOfWatch(event.watchId)
    if (!session) return
    session.watchMessage.value = event.message
    const change = event.change
    if (change.kind === 'deleted') markDeleted(session, change.version, event.message)
    else if (change.kind === 'stopped') {
      session.watchState.value = 'stopped'
      session.watchId = null
    } else if (change.kind === 'error') session.watchError.value = new ApiError(change.errorName, event.message)
  })
  const stopMessages = api.on('mqtt.message', (message) => {
    if (message.encoding !== 'utf8') return
    const session = sessionOfPresence(message.subscriptionId)
    const event = session && parsePresence(message.payload)
    if (session && event) session.presence.value = event
  })
  const stopEnded = api.on('mqtt.subscriptionEnded', (event) => {
    const session = sessionOfPresence(event.subscriptionId)
    if (!session) return
    session.presenceSubscriptionId = null
    session.presence.value = { state: 'unknown' }
    session.presenceError.value = new Error(`Device presence is no longer followed: ${event.message}`)
  })
  onScopeDispose(() => {
    stopDocuments()
    stopStates()
    stopMessages()
    stopEnded()
    for (const session of sessions.values()) clearTimeout(session.highlightTimer)
  })

  /** Starts (or restarts) a session's watch. The watchId is chosen first, so no event is missed. */
  function watchSession(session: ShadowSession): Promise<void> {
    session.started = startWatch(session)
    return session.started
  }

  async function startWatch(session: ShadowSession): Promise<void> {
    const previousWatch = session.watchId
    const id = crypto.randomUUID()
    session.watchId = id
    session.newestVersion = -1
    session.pending = null
    session.document.value = null
    session.previous.value = null
    session.highlighted.value = new Map()
    session.watchMessage.value = ''
    session.watchError.value = null
    session.watchState.value = 'starting'
    // A restart (another connection): the old watch ends; it may have ended already.
    if (previousWatch) void api.call('shadow.unwatch', { watchId: previousWatch }).catch(() => undefined)
    if (!session.presenceSubscriptionId) void followPresence(session)
    try {
      const answer = await api.call('shadow.watch', { ...session.key, watchId: id })
      if (session.watchId !== id) return
      if (answer.document) apply(session, answer.document)
      session.watchState.value = 'watching'
    } catch (error) {
      if (session.watchId !== id) return
      session.watchId = null
      session.watchState.value = 'stopped'
      session.watchError.value = error
    }
  }

  async function followPresence(session: ShadowSession): Promise<void> {
    session.presence.value = { state: 'unknown' }
    session.presenceError.value = null
    try {
      // The simulated device and most firmware use the thing name as the client id.
      const subscription = await api.call('mqtt.subscribe', { filter: `$aws/events/presence/+/${session.key.thingName}`, qos: 0, as: { operator: true } })
      if (session.ended) await api.call('mqtt.unsubscribe', { subscriptionId: subscription.subscriptionId })
      else session.presenceSubscriptionId = subscription.subscriptionId
    } catch (error) {
      session.presenceError.value = error
      return
    }
    await seedPresence(session)
  }

  /**
   * A device that connected before the inspector opened sends no event until it leaves: its state
   * now is asked once (GetThingConnectivityData), after the subscription, so an event that comes
   * meanwhile wins. An account that cannot say (no connectivity indexing) leaves it unknown.
   */
  async function seedPresence(session: ShadowSession): Promise<void> {
    const { thingName } = session.key
    const now = await api.call('things.connectivity', { thingName }).catch(() => null)
    if (!now?.known || now.since === undefined || session.ended || session.presence.value.state !== 'unknown') return
    session.presence.value = now.connected
      ? { state: 'online', clientId: thingName, since: now.since }
      : { state: 'offline', clientId: thingName, since: now.since, ...(now.disconnectReason ? { reason: disconnectReasonInWords(now.disconnectReason) } : {}) }
  }

  /** Ends a session: its watch and its presence subscription stop. */
  async function endSession(session: ShadowSession): Promise<void> {
    session.ended = true
    sessions.delete(session.id)
    clearTimeout(session.highlightTimer)
    const calls: Promise<unknown>[] = []
    if (session.watchId) calls.push(api.call('shadow.unwatch', { watchId: session.watchId }))
    if (session.presenceSubscriptionId) calls.push(api.call('mqtt.unsubscribe', { subscriptionId: session.presenceSubscriptionId }))
    session.watchId = null
    session.presenceSubscriptionId = null
    // Ended already (a connection change, the back end closing): nothing left to stop.
    await Promise.allSettled(calls)
  }

  // ---- tabs -----------------------------------------------------------------------------------

  /**
   * Opens `next` in a tab, or brings its tab to the front: a tab already watching shows its
   * current document at once, without asking again. Resolves once the shadow is being watched.
   */
  async function open(next: ShadowKeyView): Promise<void> {
    const id = shadowIdOf(next)
    if (!tabs.value.some((k) => shadowIdOf(k) === id)) tabs.value = [...tabs.value, withKey(next)]
    activeId.value = id
    const session = sessions.get(id) ?? createSession(next)
    session.unseen.value = 0
    if (session.watchState.value === 'idle' || session.watchState.value === 'stopped') await watchSession(session)
    else await session.started
  }

  /** No tab in front (the inspector asks for a thing); every tab keeps watching. */
  function showNone(): void {
    activeId.value = null
  }

  /** Watches every remembered tab that is not watched yet (the inspector opening after a reload). */
  async function restore(): Promise<void> {
    await Promise.all(tabs.value.filter((k) => !sessions.has(shadowIdOf(k))).map((k) => watchSession(createSession(k))))
  }

  /** Closes a tab (its watch and presence end). The tab in front after it, if any, is returned. */
  async function closeTab(id: string): Promise<ShadowKeyView | null> {
    const index = tabs.value.findIndex((k) => shadowIdOf(k) === id)
    if (index < 0) return null
    tabs.value = tabs.value.filter((_, i) => i !== index)
    if (activeId.value === id) {
      const neighbour = tabs.value[Math.min(index, tabs.value.length - 1)]
      activeId.value = neighbour ? shadowIdOf(neighbour) : null
      const shown = neighbour && sessions.get(shadowIdOf(neighbour))
      if (shown) shown.unseen.value = 0
    }
    const session = sessions.get(id)
    if (session) await endSession(session)
    return activeId.value === null ? null : (tabs.value.find((k) => shadowIdOf(k) === activeId.value) ?? null)
  }

  /**
   * Puts `next` in the place of the tab in front (another shadow of the same thing picked there):
   * the old shadow's watch ends. A shadow open in another tab is brought to the front instead.
   */
  async function replaceActive(next: ShadowKeyView): Promise<void> {
    const current = activeId.value
    const id = shadowIdOf(next)
    if (current === null || current === id) return open(next)
    if (tabs.value.some((k) => shadowIdOf(k) === id)) {
      await closeTab(current)
      return open(next)
    }
    tabs.value = tabs.value.map((k) => (shadowIdOf(k) === current ? withKey(next) : k))
    const old = sessions.get(current)
    if (old) void endSession(old)
    await open(next)
  }

  /** Closes the tab in front. */
  async function close(): Promise<void> {
    if (activeId.value !== null) await closeTab(activeId.value)
  }

  /** Stops every watch (leaving the inspector) but keeps the tabs, to be watched again by restore(). */
  async function suspend(): Promise<void> {
    await Promise.all([...sessions.values()].map(endSession))
  }

  /** Watches every open tab again (another connection: what the watches showed belonged to the old one). */
  async function rewatchAll(): Promise<void> {
    await Promise.all([...sessions.values()].map(watchSession))
  }

  /** The open tabs, in order, with what the tab bar shows of each. */
  const openTabs = computed(() =>
    tabs.value.map((key) => {
      const id = shadowIdOf(key)
      const session = sessions.get(id)
      return { id, key, watchState: session?.watchState.value ?? 'idle', unseen: session?.unseen.value ?? 0, failed: !!session?.watchError.value }
    })
  )

  const key = computed<ShadowKeyView | null>(() => active.value?.key ?? null)
  const document = computed(() => active.value?.document.value ?? null)
  const previous = computed(() => active.value?.previous.value ?? null)
  const watchState = computed(() => active.value?.watchState.value ?? 'idle')
  const watchMessage = computed(() => active.value?.watchMessage.value ?? '')
  const watchError = computed(() => active.value?.watchError.value ?? null)
  const highlighted = computed<ReadonlyMap<string, number>>(() => active.value?.highlighted.value ?? new Map())
  const presence = computed<Presence>(() => active.value?.presence.value ?? { state: 'unknown' })
  const presenceError = computed(() => active.value?.presenceError.value ?? null)
  const desired = computed<JsonObject | undefined>(() => document.value?.state.desired)
  const reported = computed<JsonObject | undefined>(() => document.value?.state.reported)
  const delta = computed<JsonObject | undefined>(() => document.value?.state.delta ?? deltaOf(desired.value, reported.value))
  const metadata = computed(() => document.value?.metadata ?? {})
  const version = computed(() => document.value?.version ?? null)
  const sizeBytes = computed(() => stateBytes(document.value))
  const sizeLimitBytes = maxShadowStateBytes

  /** The editor's unsent work in the tab in front, kept while another tab is. */
  function keepDraft(draft: EditorDraft | null): void {
    if (active.value) active.value.draft = draft
  }
  const draftOfActive = (): EditorDraft | null => active.value?.draft ?? null

  // ---- edits ----------------------------------------------------------------------------------

  /**
   * Merges `patch` into a section (null clears a key) of the shadow in front at `expectedVersion`.
   * The outcome, a conflict included, is the caller's to show; a refusal (a bad document, too
   * large) is in updateError.
   */
  async function update(section: ShadowSection, patch: JsonObject | null, expectedVersion: number | undefined): Promise<ShadowUpdateOutcome | null> {
    const session = active.value
    if (!session) return null
    let outcome: ShadowUpdateOutcome | null = null
    await session.updating.run(async () => {
      // The watch brings the new document.
      outcome = await api.call('shadow.update', { ...session.key, [section]: patch, ...(expectedVersion === undefined ? {} : { version: expectedVersion }) })
    })
    return outcome
  }

  async function remove(): Promise<boolean> {
    const session = active.value
    if (!session) return false
    const target = session.key
    const done = await session.deleting.run(async () => {
      const { version: deletedAt } = await api.call('shadow.delete', target)
      // Over HTTP no delete/accepted reaches the watch: the answer is the deletion.
      markDeleted(session, deletedAt, `${describeKey(target)} was deleted (it was at version ${deletedAt})`)
    })
    if (done && target.shadowName) namedShadows.value = namedShadows.value.filter((name) => name !== target.shadowName)
    return done
  }

  const updating = computed(() => active.value?.updating.pending.value ?? false)
  const updateError = computed(() => active.value?.updating.error.value ?? null)
  const deleting = computed(() => active.value?.deleting.pending.value ?? false)
  const deleteError = computed(() => active.value?.deleting.error.value ?? null)

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
    tabs,
    activeId,
    openTabs,
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
    showNone,
    restore,
    closeTab,
    replaceActive,
    close,
    suspend,
    rewatchAll,
    keepDraft,
    draftOfActive,
    update,
    updating,
    updateError,
    remove,
    deleting,
    deleteError,
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
