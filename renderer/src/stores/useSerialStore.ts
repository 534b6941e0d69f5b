import { defineStore } from 'pinia'
import { computed, markRaw, onScopeDispose, reactive, ref, shallowRef } from 'vue'
import type { SerialDataChunk, SerialListView, SerialPortState, SerialPortView } from '@contract/serial'
import { ApiError } from '@contract/bridge'
import { useApi } from '../api/useApi'
import { PlotSeries } from './support/serialPlot'
import { readRemembered, rememberedRef, writeRemembered } from './support/remembered'
import { SerialLog, type SerialRead } from './support/serialLog'

// The serial monitor: the ports on this machine (hot-plug updates from serial.portsChanged), the
// paths the user added, and the ports the monitor holds open, each with its log of received bytes,
// plot series, line ending and command history. Received bytes are kept here, not in Vue state: the
// views are told of each read (onRead) and keep their own drawing.

export type LineEnding = 'none' | 'lf' | 'cr' | 'crlf'
export type Parity = 'none' | 'even' | 'odd' | 'mark' | 'space'
export type FlowControl = 'none' | 'rtscts' | 'xonxoff'

export interface PortSettings {
  baudRate: number
  dataBits: 5 | 6 | 7 | 8
  parity: Parity
  stopBits: 1 | 1.5 | 2
  flowControl: FlowControl
}

export const defaultSettings: PortSettings = { baudRate: 115_200, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none' }
export const commonBaudRates = [9600, 19_200, 38_400, 57_600, 115_200, 230_400, 460_800, 921_600]
/** Commands kept for ↑/↓, newest last. */
export const historyLimit = 200

/** An open port: what the tab shows. `log` and `plot` are plain objects (not reactive). */
export interface MonitorSession {
  path: string
  settings: PortSettings
  state: SerialPortState
  /** Why the state last changed, in the back end's words. */
  reason: string
  bytesReceived: number
  bytesSent: number
  dtr: boolean
  rts: boolean
  /** What setSignals said when the lines could not be set (a pty has none). */
  signalsNote: string
  lineEnding: LineEnding
  error: string
  log: SerialLog
  plot: PlotSeries
}

const isSettings = (v: unknown): v is PortSettings =>
  typeof v === 'object' && v !== null && typeof (v as PortSettings).baudRate === 'number' && [5, 6, 7, 8].includes((v as PortSettings).dataBits)
const isSettingsMap = (v: unknown): v is Record<string, PortSettings> => typeof v === 'object' && v !== null && Object.values(v).every(isSettings)
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string')
const isLineEnding = (v: unknown): v is LineEnding => v === 'none' || v === 'lf' || v === 'cr' || v === 'crlf'

/** The error's name (PortHeld, PortNotFound…), then what went wrong. */
const describeError = (error: unknown): string =>
  error instanceof ApiError ? `${error.errorName}: ${error.message}` : error instanceof Error ? error.message : String(error)

/** The engine's own base64 decoder where it has one (Chromium 140 on): no string of binary and no loop per byte. */
const nativeFromBase64 = (Uint8Array as unknown as { fromBase64?: (base64: string) => Uint8Array }).fromBase64?.bind(Uint8Array)

function decodeBase64(base64: string): Uint8Array {
  if (nativeFromBase64) return nativeFromBase64(base64)
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

export const useSerialStore = defineStore('serial', () => {
  const api = useApi()

  const ports = ref<SerialPortView[]>([])
  /** The ports plugged in now, to pick one for a bench or a write: a held one is shown with its holder and cannot be picked. */
  const portChoices = computed(() =>
    ports.value
      .filter((port) => port.present)
      .map((port) => ({
        value: port.path,
        label: `${port.friendlyName ? `${port.friendlyName} — ` : ''}${port.path}${port.manufacturer ? ` · ${port.manufacturer}` : ''}${port.heldBy ? ` (held by ${port.heldBy})` : ''}`,
        disabled: port.heldBy !== undefined
      }))
  )
  const degraded = ref<string | undefined>()
  const listError = ref('')
  const loading = ref(false)
  /** Open ports by path, in the order they were opened (the tabs). */
  const sessions = reactive(new Map<string, MonitorSession>())
  const activePath = ref<string | null>(null)
  const active = computed(() => (activePath.value ? sessions.get(activePath.value) : undefined))
  /** The settings last used per port path (baud and framing). */
  const rememberedSettings = rememberedRef<Record<string, PortSettings>>('serial.settings', {}, isSettingsMap)
  const history = rememberedRef<string[]>('serial.history', [], isStringList)
  const watchedPaths = rememberedRef<string[]>('serial.watchedPaths', [], isStringList)
  const readListeners = new Map<string, Set<(read: SerialRead) => void>>()
  const busy = shallowRef(new Set<string>())

  function applyList(view: SerialListView): void {
    ports.value = view.ports
    degraded.value = view.degraded
  }

  async function refresh(): Promise<void> {
    loading.value = true
    try {
      applyList(await api.call('serial.list', {}))
      listError.value = ''
    } catch (error) {
      listError.value = describeError(error)
    } finally {
      loading.value = false
    }
  }

  /** Lists the ports and re-adds the paths the user added last time. */
  async function start(): Promise<void> {
    await refresh()
    for (const path of watchedPaths.value) if (!ports.value.some((p) => p.path === path)) await watchPath(path, { quiet: true })
  }

  async function watchPath(path: string, options: { quiet?: boolean } = {}): Promise<boolean> {
    try {
      const view = await api.call('serial.watchPath', { path: path.trim() })
      upsert(view)
      if (!watchedPaths.value.includes(view.path)) watchedPaths.value = [...watchedPaths.value, view.path]
      listError.value = ''
      return true
    } catch (error) {
      if (!options.quiet) listError.value = describeError(error)
      return false
    }
  }

  async function unwatchPath(path: string): Promise<void> {
    try {
      await api.call('serial.unwatchPath', { path })
      watchedPaths.value = watchedPaths.value.filter((p) => p !== path)
      ports.value = ports.value.filter((p) => p.path !== path)
    } catch (error) {
      listError.value = describeError(error)
    }
  }

  async function rename(path: string, friendlyName: string): Promise<boolean> {
    try {
      upsert(await api.call('serial.rename', { path, friendlyName: friendlyName.trim() }))
      return true
    } catch (error) {
      listError.value = describeError(error)
      return false
    }
  }

  function upsert(view: SerialPortView): void {
    const index = ports.value.findIndex((p) => p.path === view.path)
    ports.value = index < 0 ? [...ports.value, view] : ports.value.map((p, i) => (i === index ? view : p))
  }

  function settingsFor(path: string): PortSettings {
    return { ...defaultSettings, ...rememberedSettings.value[path] }
  }

  /** Opens `path` in a new tab (or shows its tab); the error, named, lands in `listError`. */
  async function open(path: string, settings: PortSettings = settingsFor(path)): Promise<boolean> {
    if (sessions.has(path)) {
      activePath.value = path
      return true
    }
    busy.value = new Set([...busy.value, path])
    try {
      const view = await api.call('serial.open', { path, ...settings })
      upsert(view)
      rememberedSettings.value = { ...rememberedSettings.value, [path]: settings }
      sessions.set(path, {
        path,
        settings,
        state: view.state ?? 'open',
        reason: '',
        bytesReceived: 0,
        bytesSent: 0,
        dtr: true,
        rts: true,
        signalsNote: '',
        lineEnding: readRemembered(`serial.lineEnding.${path}`, 'lf', isLineEnding),
        error: '',
        log: markRaw(new SerialLog()),
        plot: markRaw(new PlotSeries())
      })
      activePath.value = path
      listError.value = ''
      return true
    } catch (error) {
      listError.value = describeError(error)
      return false
    } finally {
      busy.value = new Set([...busy.value].filter((p) => p !== path))
    }
  }

  async function close(path: string): Promise<void> {
    const session = sessions.get(path)
    try {
      await api.call('serial.close', { path })
    } catch (error) {
      if (session) session.error = describeError(error)
    }
    sessions.delete(path)
    readListeners.delete(path)
    if (activePath.value === path) activePath.value = [...sessions.keys()].at(-1) ?? null
    await refresh()
  }

  async function closeAll(): Promise<void> {
    for (const path of [...sessions.keys()]) await close(path)
  }

  function setLineEnding(path: string, lineEnding: LineEnding): void {
    const session = sessions.get(path)
    if (!session) return
    session.lineEnding = lineEnding
    writeRemembered(`serial.lineEnding.${path}`, lineEnding)
  }

  /** Sends text with the port's line ending, or hex bytes; text goes into the history. */
  async function send(path: string, payload: { text: string } | { hex: string }): Promise<boolean> {
    const session = sessions.get(path)
    if (!session) return false
    try {
      const answer =
        'text' in payload
          ? await api.call('serial.write', { path, encoding: 'text', text: payload.text, lineEnding: session.lineEnding })
          : await api.call('serial.write', { path, encoding: 'hex', hex: payload.hex })
      session.bytesSent += answer.bytesWritten
      session.error = ''
      const entry = 'text' in payload ? payload.text : payload.hex
      if (entry && history.value.at(-1) !== entry) history.value = [...history.value.filter((h) => h !== entry), entry].slice(-historyLimit)
      return true
    } catch (error) {
      session.error = describeError(error)
      return false
    }
  }

  async function setSignals(path: string, lines: { dtr?: boolean; rts?: boolean }): Promise<void> {
    const session = sessions.get(path)
    if (!session) return
    try {
      const answer = await api.call('serial.setSignals', { path, ...lines })
      if (answer.applied) {
        if (lines.dtr !== undefined) session.dtr = lines.dtr
        if (lines.rts !== undefined) session.rts = lines.rts
        session.signalsNote = ''
      } else session.signalsNote = answer.message ?? 'The port has no modem lines to set'
    } catch (error) {
      session.error = describeError(error)
    }
  }

  function clear(path: string): void {
    const session = sessions.get(path)
    if (!session) return
    session.log.clear()
    session.plot.clear()
  }

  /** Calls `listener` with each read that arrives on `path`, until the returned function is called. */
  function onRead(path: string, listener: (read: SerialRead) => void): () => void {
    const set = readListeners.get(path) ?? new Set()
    readListeners.set(path, set)
    set.add(listener)
    return () => set.delete(listener)
  }

  function received(path: string, chunks: SerialDataChunk[]): void {
    const session = sessions.get(path)
    if (!session) return
    const listeners = readListeners.get(path)
    let count = 0
    for (const chunk of chunks) {
      const read = session.log.append(chunk.at, decodeBase64(chunk.base64))
      count += read.bytes.length
      session.plot.feed(chunk.at, read.bytes)
      listeners?.forEach((listener) => listener(read))
    }
    session.bytesReceived += count
  }

  const stops = [
    api.on('serial.portsChanged', (view) => applyList(view)),
    api.on('serial.data', ({ path, chunks }) => received(path, chunks)),
    api.on('serial.portState', ({ path, state, reason }) => {
      const session = sessions.get(path)
      if (session) {
        session.state = state
        session.reason = reason
      }
      const port = ports.value.find((p) => p.path === path)
      if (port) upsert({ ...port, state })
    })
  ]
  onScopeDispose(() => stops.forEach((stop) => stop()))

  return {
    ports,
    portChoices,
    degraded,
    listError,
    loading,
    sessions,
    activePath,
    active,
    history,
    busy,
    start,
    refresh,
    watchPath,
    unwatchPath,
    rename,
    settingsFor,
    open,
    close,
    closeAll,
    setLineEnding,
    send,
    setSignals,
    clear,
    onRead
  }
})

/** In words, for the tab: what the port is doing now. */
export function stateLabel(state: SerialPortState | undefined): string {
  switch (state) {
    case 'open':
      return 'Open'
    case 'vanished':
      return 'The device went away (unplugged or reset); it will reopen when it returns'
    case 'reopened':
      return 'The device came back and was reopened'
    case 'closed':
      return 'Closed'
    default:
      return 'Not open'
  }
}
