import { defineStore } from 'pinia'
import { onScopeDispose, ref, shallowRef } from 'vue'
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

/**
 * "Act as the device": one simulated device on the inspected shadow, connected as the thing
 * (mutual TLS, its vault key), with the deltas it received, what it reported, and its connection.
 */
export const useDeviceStore = defineStore('device', () => {
  const api = useApi()

  const device = shallowRef<DeviceView | null>(null)
  /** The shadow the device is being started on: its events arrive before device.start answers. */
  const startingKey = ref<ShadowKeyView | null>(null)
  const pendingDelta = shallowRef<ShadowDeltaView | null>(null)
  const reported = shallowRef<JsonObject>({})
  const connection = shallowRef<MqttConnectionState | null>(null)
  /** The connection's state in plain words, AWS's reason included. */
  const connectionMessage = ref('')
  const log = shallowRef<DeviceLogEntry[]>([])
  const lastError = ref<unknown>(null)

  function isOurs(event: { deviceId: string; thingName: string; shadowName?: string }): boolean {
    if (device.value) return event.deviceId === device.value.deviceId
    const starting = startingKey.value
    return !!starting && starting.thingName === event.thingName && starting.shadowName === event.shadowName
  }

  const stopListening = api.on('device.event', (event) => {
    if (!isOurs(event)) return
    const change = event.change
    log.value = [{ at: Date.now(), kind: change.type, message: event.message }, ...log.value].slice(0, logLength)
    switch (change.type) {
      case 'delta':
        pendingDelta.value = change.delta
        return
      case 'reported':
        reported.value = mergedReport(reported.value, change.patch)
        pendingDelta.value = null
        return
      case 'error':
        lastError.value = new Error(`${change.errorName}: ${event.message}`)
        return
      case 'connection':
        connection.value = change.state
        connectionMessage.value = event.message
        return
      case 'stopped':
        device.value = null
        pendingDelta.value = null
        connectionMessage.value = event.message
        return
    }
  })
  onScopeDispose(stopListening)

  const starting = trackedCall(lastError)
  async function start(key: ShadowKeyView, answering: DeviceAnswering): Promise<boolean> {
    if (device.value) await stop()
    startingKey.value = { ...key }
    log.value = []
    pendingDelta.value = null
    reported.value = {}
    connection.value = null
    connectionMessage.value = ''
    const started = await starting.run(async () => {
      const view = await api.call('device.start', { ...key, answering })
      device.value = view
      reported.value = { ...view.reported }
      connection.value = view.connection
      connectionMessage.value = connectionInWords(view.connection)
      if (view.pendingDelta) pendingDelta.value = view.pendingDelta
    })
    startingKey.value = null
    return started
  }

  const acting = trackedCall(lastError)
  async function acknowledge(): Promise<boolean> {
    const running = device.value
    if (!running) return false
    return acting.run(async () => {
      await api.call('device.acknowledge', { deviceId: running.deviceId })
    })
  }

  async function report(patch: JsonObject): Promise<boolean> {
    const running = device.value
    if (!running) return false
    return acting.run(async () => {
      await api.call('device.report', { deviceId: running.deviceId, reported: patch })
    })
  }

  /** Disconnects the device (leaving the inspector does this too). */
  async function stop(): Promise<void> {
    const running = device.value
    if (!running) return
    device.value = null
    pendingDelta.value = null
    try {
      await api.call('device.stop', { deviceId: running.deviceId })
    } catch {
      // Stopped already (its connection closed, or the connection changed): the event said so.
    }
  }

  return {
    device,
    pendingDelta,
    reported,
    connection,
    connectionMessage,
    log,
    lastError,
    start,
    starting: starting.pending,
    acknowledge,
    report,
    acting: acting.pending,
    stop
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
