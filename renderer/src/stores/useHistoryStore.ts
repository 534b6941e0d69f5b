import { defineStore } from 'pinia'
import { computed, onScopeDispose, ref, shallowRef } from 'vue'
import type { HistoryDiffView, HistoryExportView, HistorySettings, HistoryVersionView } from '@contract/history'
import type { ShadowDocumentView, ShadowKeyView } from '@contract/shadow'
import { useApi } from '../api/useApi'
import { syncLatencies, updatesPerMinute } from './support/shadowHistoryFigures'
import { trackedCall } from './support/trackedCall'

/** A time range in epoch ms; an open end is unbounded (an open `to` also takes live versions). */
export interface HistoryRange {
  from?: number
  to?: number
}

/** history.versions' largest page: the whole range is loaded, page by page (no point cap). */
const pageSize = 1000

/**
 * The open shadow's state history: its versions over a time range (with their documents, for the
 * timeline, the charts and the metrics), live as the inspector's watch sees new ones, one version's
 * document, the diff of two, exports, and how much history is kept.
 */
export const useHistoryStore = defineStore('history', () => {
  const api = useApi()

  const key = ref<ShadowKeyView | null>(null)
  const range = ref<HistoryRange>({})
  /** In version order. */
  const versions = shallowRef<HistoryVersionView[]>([])
  /** Bumped when `key` or the range changes, so a late page of an earlier query is dropped. */
  let generation = 0

  const loading = trackedCall()
  /** Loads every version of `next` in `nextRange` (all pages). */
  async function open(next: ShadowKeyView, nextRange: HistoryRange = range.value): Promise<void> {
    const mine = ++generation
    key.value = { ...next }
    range.value = { ...nextRange }
    versions.value = []
    selected.value = null
    diff.value = null
    lastExport.value = null
    await loading.run(async () => {
      const loaded: HistoryVersionView[] = []
      let nextToken: string | undefined
      do {
        const page = await api.call('history.versions', { ...withKey(next), ...rangeArgs(nextRange), maxResults: pageSize, withDocuments: true, ...(nextToken ? { nextToken } : {}) })
        if (mine !== generation) return
        loaded.push(...page.versions)
        nextToken = page.nextToken
      } while (nextToken)
      // Versions the watch saw while the pages came in.
      versions.value = merged(loaded, versions.value)
    })
  }

  function close(): void {
    generation++
    key.value = null
    versions.value = []
    selected.value = null
    diff.value = null
  }

  async function setRange(nextRange: HistoryRange): Promise<void> {
    if (key.value) await open(key.value, nextRange)
    else range.value = { ...nextRange }
  }

  // ---- live: what the inspector's watch sees is recorded by the back end; the same documents arrive here

  const stopDocuments = api.on('shadow.document', (event) => {
    const open = key.value
    if (!open || event.thingName !== open.thingName || event.shadowName !== open.shadowName) return
    if (range.value.to !== undefined && Date.now() > range.value.to) return
    const seen: HistoryVersionView[] = []
    if (event.previous) seen.push(entryOf(open, event.previous, 'previous', undefined))
    const clientToken = event.clientToken ?? event.document.clientToken
    seen.push({ ...entryOf(open, event.document, event.source, clientToken), ...(event.previous ? { previousVersion: event.previous.version } : {}) })
    versions.value = merged(versions.value, seen)
  })
  onScopeDispose(stopDocuments)

  // ---- one version, a diff, exports ------------------------------------------------------------

  const selected = shallowRef<(HistoryVersionView & { document: NonNullable<HistoryVersionView['document']> }) | null>(null)
  const selecting = trackedCall()
  async function selectVersion(version: number): Promise<void> {
    const target = key.value
    if (!target) return
    await selecting.run(async () => {
      const answer = await api.call('history.version', { ...withKey(target), version })
      if (key.value === target) selected.value = answer
    })
  }

  const diff = shallowRef<HistoryDiffView | null>(null)
  const diffing = trackedCall()
  /** The changes from version `from` to version `to` (either order). */
  async function diffVersions(from: number, to: number): Promise<void> {
    const target = key.value
    if (!target) return
    await diffing.run(async () => {
      const answer = await api.call('history.diff', { ...withKey(target), from: Math.min(from, to), to: Math.max(from, to) })
      if (key.value === target) diff.value = answer
    })
  }

  const lastExport = ref<(HistoryExportView & { format: 'csv' | 'jsonl' }) | null>(null)
  const exporting = trackedCall()
  /** Writes the range as CSV or JSON lines on the back end's machine; lastExport says where. */
  async function exportRange(format: 'csv' | 'jsonl', folder?: string): Promise<void> {
    const target = key.value
    if (!target) return
    await exporting.run(async () => {
      const answer = await api.call('history.export', { ...withKey(target), ...rangeArgs(range.value), format, ...(folder ? { folder } : {}) })
      lastExport.value = { ...answer, format }
    })
  }

  // ---- how much history is kept ---------------------------------------------------------------------

  const settings = ref<HistorySettings | null>(null)
  const settingsCall = trackedCall()
  async function loadSettings(): Promise<void> {
    await settingsCall.run(async () => {
      settings.value = await api.call('history.settings', {})
    })
  }
  async function saveSettings(change: Partial<HistorySettings>): Promise<boolean> {
    return settingsCall.run(async () => {
      settings.value = await api.call('history.setSettings', change)
    })
  }

  // ---- metrics ------------------------------------------------------------------------------------------

  const latencies = computed(() => syncLatencies(versions.value))
  /** The newest desired change the reported state caught up with. */
  const lastSyncLatency = computed(() => latencies.value.at(-1) ?? null)
  const medianSyncLatencyMs = computed(() => {
    const sorted = latencies.value.map((latency) => latency.ms).sort((a, b) => a - b)
    return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : null
  })
  /** Versions per minute over the five minutes before `now`. */
  const updateRate = (now: number): number => updatesPerMinute(versions.value, now)

  return {
    key,
    range,
    versions,
    open,
    close,
    setRange,
    loading: loading.pending,
    loadError: loading.error,
    selected,
    selectVersion,
    selecting: selecting.pending,
    selectError: selecting.error,
    diff,
    diffVersions,
    diffing: diffing.pending,
    diffError: diffing.error,
    lastExport,
    exportRange,
    exporting: exporting.pending,
    exportError: exporting.error,
    settings,
    loadSettings,
    saveSettings,
    savingSettings: settingsCall.pending,
    settingsError: settingsCall.error,
    latencies,
    lastSyncLatency,
    medianSyncLatencyMs,
    updateRate
  }
})

const withKey = ({ thingName, shadowName }: ShadowKeyView): ShadowKeyView => (shadowName === undefined ? { thingName } : { thingName, shadowName })
const rangeArgs = ({ from, to }: HistoryRange): HistoryRange => ({ ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) })

/** A version as the back end records it from a watch's document (received now; a get's time is its newest change). */
function entryOf(key: ShadowKeyView, document: ShadowDocumentView, source: HistoryVersionView['source'], clientToken: string | undefined): HistoryVersionView {
  const { desired, reported } = document.state
  const time = source === 'documents' ? Date.now() : (newestTimestampMs(document.metadata) ?? Date.now())
  return {
    ...withKey(key),
    version: document.version,
    time,
    source,
    ...(clientToken === undefined ? {} : { clientToken }),
    document: { state: { ...(desired === undefined ? {} : { desired }), ...(reported === undefined ? {} : { reported }) }, metadata: document.metadata }
  }
}

function newestTimestampMs(metadata: unknown): number | undefined {
  let newest: number | undefined
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return
    for (const [name, child] of Object.entries(value)) {
      if (name === 'timestamp' && typeof child === 'number') newest = Math.max(newest ?? 0, child * 1000)
      else visit(child)
    }
  }
  visit(metadata)
  return newest
}

/** `known` with the versions of `seen` it lacks, in version order (a version recorded already is kept as it was). */
function merged(known: readonly HistoryVersionView[], seen: readonly HistoryVersionView[]): HistoryVersionView[] {
  const have = new Set(known.map((version) => version.version))
  const added = seen.filter((version) => !have.has(version.version))
  if (!added.length) return known as HistoryVersionView[]
  const last = known.at(-1)?.version ?? -1
  // The usual case: newer versions at the end, no sort.
  if (added.every((version) => version.version > last)) return [...known, ...added.sort((a, b) => a.version - b.version)]
  return [...known, ...added].sort((a, b) => a.version - b.version)
}
