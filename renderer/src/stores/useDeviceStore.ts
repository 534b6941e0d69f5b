import { defineStore } from 'pinia'
import { computed, onScopeDispose, ref, shallowReactive, shallowRef, type Ref, type ShallowRef } from 'vue'
import { ApiError } from '@contract/bridge'
import type { MqttConnectionState } from '@contract/mqtt'
import type { DeviceView, JsonObject, ShadowDeltaView, ShadowKeyView } from '@contract/shadow'
import { useApi } from '../api/useApi'
import { trackedCall } from './support/trackedCall'

/** The simulated device's log keeps this many entries (newest first). */
const logLength = 200

export interface DeviceLogEntry {
  at: number
  kind: 'delta' | 'reported' | 'error' | 'connection' | 'stopped'
  message: string
}

export type DeviceAnswering = DeviceView['answering']

/** One shadow's simulated device: what it received and reported, and its connection. */
interface DeviceSession {
  key: ShadowKeyView
  device: ShallowRef<DeviceView | null>
  /** Being started: its events arrive before device.start answers. */
  starting: boolean
  pendingDelta: ShallowRef<ShadowDeltaView | null>
  reported: ShallowRef<JsonObject>
  connection: ShallowRef<MqttConnectionState | null>
  /** The connection's state in plain words, AWS's reason included. */
  connectionMessage: Ref<string>
  log: ShallowRef<DeviceLogEntry[]>
  lastError: Ref<unknown>
  startCall: ReturnType<typeof trackedCall>
  actCall: ReturnType<typeof trackedCall>
}

const sessionIdOf = ({ thingName, shadowName }: ShadowKeyView): string => (shadowName === undefined ? thingName : `${thingName}/${shadowName}`)

/**
 * "Act as the device": a simulated device per inspected shadow (each inspector tab keeps its own
 * running while another is in front), connected as the thing (mutual TLS, its vault key), with
 * the deltas it received, what it reported, and its connection. The store's top-level state is
 * the selected shadow's (the device panel in front selects its tab's).
 */
export const useDeviceStore = defineStore('device', () => {
  const api = useApi()

  const sessions = shallowReactive(new Map<string, DeviceSession>())
  const selectedId = ref<string | null>(null)

  function sessionFor(key: ShadowKeyView): DeviceSession {
    const id = sessionIdOf(key)
    const existing = sessions.get(id)
    if (existing) return existing
    const lastError = ref<unknown>(null)
    const session: DeviceSession = {
      key: key.shadowName === undefined ? { thingName: key.thingName } : { thingName: key.thingName, shadowName: key.shadowName },
      device: shallowRef(null),
      starting: false,
      pendingDelta: shallowRef(null),
      reported: shallowRef({}),
      connection: shallowRef(null),
      connectionMessage: ref(''),
      log: shallowRef([]),
      lastError,
      startCall: trackedCall(lastError),
      actCall: trackedCall(lastError)
    }
    sessions.set(id, session)
    return session
  }

  /** The device panel in front shows this shadow's device. */
  function select(key: ShadowKeyView): void {
    sessionFor(key)
    selectedId.value = sessionIdOf(key)
  }
  const selected = computed(() => (selectedId.value === null ? undefined : sessions.get(selectedId.value)))

  function sessionOfEvent(event: { deviceId: string; thingName: string; shadowName?: string }): DeviceSession | undefined {
    for (const session of sessions.values()) if (session.device.value?.deviceId === event.deviceId) return session
    const starting = sessions.get(sessionIdOf(event))
    return starting?.starting ? starting : undefined
  }

  const stopListening = api.on('device.event', (event) => {
    const session = sessionOfEvent(event)
    if (!session) return
    const change = event.change
    session.log.value = [{ at: Date.now(), kind: change.type, message: event.message }, ...session.log.value].slice(0, logLength)
    switch (change.type) {
      case 'delta':
        session.pendingDelta.value = change.delta
        return
      case 'reported':
        session.reported.value = mergedReport(session.reported.value, change.patch)
        session.pendingDelta.value = null
        return
      case 'error':
        session.lastError.value = new ApiError(change.errorName, event.message)
        return
      case 'connection':
        session.connection.value = change.state
        session.connectionMessage.value = event.message
        return
      case 'stopped':
        session.device.value = null
        session.pendingDelta.value = null
        session.connectionMessage.value = event.message
        return
    }
  })
  onScopeDispose(stopListening)

  async function start(key: ShadowKeyView, answering: DeviceAnswering): Promise<boolean> {
    select(key)
    const session = sessionFor(key)
    if (session.device.value) await stopSession(session)
    session.starting = true
    session.log.value = []
    session.pendingDelta.value = null
    session.reported.value = {}
    session.connection.value = null
    session.connectionMessage.value = ''
    const started = await session.startCall.run(async () => {
      const view = await api.call('device.start', { ...session.key, answering })
      session.device.value = view
      session.reported.value = { ...view.reported }
      session.connection.value = view.connection
      session.connectionMessage.value = connectionInWords(view.connection)
      if (view.pendingDelta) session.pendingDelta.value = view.pendingDelta
    })
    session.starting = false
    return started
  }

  async function acknowledge(): Promise<boolean> {
    const session = selected.value
    const running = session?.device.value
    if (!session || !running) return false
    return session.actCall.run(async () => {
      await api.call('device.acknowledge', { deviceId: running.deviceId })
    })
  }

  async function report(patch: JsonObject): Promise<boolean> {
    const session = selected.value
    const running = session?.device.value
    if (!session || !running) return false
    return session.actCall.run(async () => {
      await api.call('device.report', { deviceId: running.deviceId, reported: patch })
    })
  }

  async function stopSession(session: DeviceSession): Promise<void> {
    const running = session.device.value
    if (!running) return
    session.device.value = null
    session.pendingDelta.value = null
    try {
      await api.call('device.stop', { deviceId: running.deviceId })
    } catch (error) {
      // Stopped already (its connection closed, or the connection changed) is what the event said;
      // anything else is shown.
      if (!(error instanceof ApiError && error.errorName === 'InvalidArguments' && /has stopped/.test(error.message))) session.lastError.value = error
    }
  }

  /** Disconnects the selected shadow's device. */
  async function stop(): Promise<void> {
    if (selected.value) await stopSession(selected.value)
  }

  /** Disconnects a shadow's device (its inspector tab closed) and forgets it. */
  async function stopFor(key: ShadowKeyView): Promise<void> {
    const id = sessionIdOf(key)
    const session = sessions.get(id)
    if (!session) return
    await stopSession(session)
    sessions.delete(id)
    if (selectedId.value === id) selectedId.value = null
  }

  /** Disconnects every device (leaving the inspector). */
  async function stopAll(): Promise<void> {
    await Promise.all([...sessions.values()].map((session) => stopFor(session.key)))
  }

  return {
    select,
    device: computed(() => selected.value?.device.value ?? null),
    pendingDelta: computed(() => selected.value?.pendingDelta.value ?? null),
    reported: computed<JsonObject>(() => selected.value?.reported.value ?? {}),
    connection: computed(() => selected.value?.connection.value ?? null),
    connectionMessage: computed(() => selected.value?.connectionMessage.value ?? ''),
    log: computed<DeviceLogEntry[]>(() => selected.value?.log.value ?? []),
    lastError: computed(() => selected.value?.lastError.value ?? null),
    start,
    starting: computed(() => selected.value?.startCall.pending.value ?? false),
    acknowledge,
    report,
    acting: computed(() => selected.value?.actCall.pending.value ?? false),
    stop,
    stopFor,
    stopAll,
    /** Which shadows have a device running now (their tab shows it). */
    runningIds: computed(() => new Set([...sessions].filter(([, s]) => s.device.value !== null).map(([id]) => id)))
  }
})

/** What the device reports after `patch` (null deletes a key), as far as it knows: top-level merge, as the log shows it. */
function mergedReport(before: JsonObject, patch: JsonObject): JsonObject {
  const after: JsonObject = { ...before, ...patch }
  for (const [name, value] of Object.entries(patch)) if (value === null) delete after[name]
  return after
}

/** A connection state in plain words (the back end's events say the same in theirs). */
export function connectionInWords(state: MqttConnectionState): string {
  switch (state.state) {
    case 'connecting':
      return 'Connecting as the thing…'
    case 'connected':
      return 'Connected as the thing (mutual TLS)'
    case 'resumed':
      return 'Connected again as the thing'
    case 'interrupted':
      return `Connection lost (${state.reason}); reconnecting`
    case 'closed':
      return state.reason ? `Disconnected: ${state.reason}` : 'Disconnected'
  }
}
