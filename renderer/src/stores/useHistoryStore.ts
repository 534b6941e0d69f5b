import { defineStore } from 'pinia'
import { computed, markRaw, onScopeDispose, ref, shallowRef } from 'vue'
import type { HistoryDiffView, HistoryExportView, HistorySettings, HistoryVersionView } from '@contract/history'
import type { ShadowDocumentView, ShadowKeyView } from '@contract/shadow'
import { useApi } from '../api/useApi'
import { HistorySeries, SyncLatencyTracker, updatesPerMinute } from './support/shadowHistoryFigures'
import { eachPage, trackedCall } from './support/trackedCall'

/** A time range in epoch ms; an open end is unbounded (an open `to` also takes live versions). */
export interface HistoryRange {
  from?: number
  to?: number
}

/** history.versions' largest page: the whole range is read, page by page (no point cap). */
const pageSize = 1000
/** Versions kept in memory with their documents (the newest); the timeline pages older ones from the back end. */
export const timelinePageSize = 500
/** How much earlier than this window's clock the back end may have recorded a live version. */
const recordedEarlierMs = 10_000
/**
 * Live versions are applied together at most this often: a burst of updates is one render of the
 * timeline, chart and metrics, not one each (200 updates a second stay ten renders a second).
 */
const liveBatchMs = 100

/**
 * The open shadow's state history over a time range, live as the inspector's watch sees new
 * versions: the newest versions with their documents (the timeline's first page), every version's
 * numbers for the chart and the metrics (kept incrementally, in version order), older timeline
 * pages read back from the back end, one version's document, the diff of two, exports, and how much
 * history is kept. Memory grows by a few numbers per version, not by a document.
 */
export const useHistoryStore = defineStore('history', () => {
  const api = useApi()

  const key = ref<ShadowKeyView | null>(null)
  const range = ref<HistoryRange>({})
  /** The newest `timelinePageSize` versions, with documents, in version order. */
  const versions = shallowRef<HistoryVersionView[]>([])
  /** How many versions the range holds (read and live). */
  const versionCount = ref(0)
  /** Every version's time and numeric leaves: the chart's columns. Read it again when `revision` changes. */
  const series = shallowRef(markRaw(new HistorySeries()))
  let latencyTracker = new SyncLatencyTracker()
  /** Bumped each time versions are added (or the history starts again). */
  const revision = ref(0)
  /** Live versions waiting for the next batch (or for the pages being read). */
  let pendingLive: HistoryVersionView[] = []
  let liveTimer: ReturnType<typeof setTimeout> | undefined
  /** Aborted when `key` or the range changes, so the pages of an earlier query stop. */
  let reading = new AbortController()

  function reset(): void {
    reading.abort()
    reading = new AbortController()
    clearTimeout(liveTimer)
    liveTimer = undefined
    pendingLive = []
    versions.value = []
    versionCount.value = 0
    series.value = markRaw(new HistorySeries())
    latencyTracker = new SyncLatencyTracker()
    revision.value++
    selected.value = null
    diff.value = null
  }

  /** Adds the versions the series lacks (a version recorded already is kept as it was); the window keeps the newest. */
  function add(seen: readonly HistoryVersionView[]): void {
    const added: HistoryVersionView[] = []
    for (const version of [...seen].sort((a, b) => a.version - b.version)) {
      if (series.value.has(version.version)) continue
      // Sync latency follows versions in order; the rare late one (older than the newest) joins the chart only.
      if (series.value.add(version)) latencyTracker.add(version)
      added.push(version)
    }
    if (!added.length) return
    versions.value = newest(versions.value, added)
    versionCount.value = series.value.length
    revision.value++
  }

  const loading = trackedCall()
  /** Reads every version of `next` in `nextRange`, page by page. */
  async function open(next: ShadowKeyView, nextRange: HistoryRange = range.value): Promise<void> {
    reset()
    const { signal } = reading
    key.value = { ...next }
    range.value = { ...nextRange }
    lastExport.value = null
    await loading.run(() =>
      eachPage(
        async (nextToken) => {
          const page = await api.call('history.versions', { ...withKey(next), ...rangeArgs(nextRange), maxResults: pageSize, withDocuments: true, ...(nextToken ? { nextToken } : {}) })
          return { items: page.versions, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
        },
        add,
        signal
      )
    )
    // Versions the watch saw while the pages came in.
    if (!signal.aborted) flushLive()
  }

  function close(): void {
    reset()
    key.value = null
  }

  async function setRange(nextRange: HistoryRange): Promise<void> {
    if (key.value) await open(key.value, nextRange)
    else range.value = { ...nextRange }
  }

  // ---- live: what the inspector's watch sees is recorded by the back end; the same documents arrive here

  function flushLive(): void {
    clearTimeout(liveTimer)
    liveTimer = undefined
    const batch = pendingLive
    pendingLive = []
    add(batch)
  }

  const stopDocuments = api.on('shadow.document', (event) => {
    const open = key.value
    if (!open || event.thingName !== open.thingName || event.shadowName !== open.shadowName) return
    if (range.value.to !== undefined && Date.now() > range.value.to) return
    if (event.previous) pendingLive.push(entryOf(open, event.previous, 'previous', undefined))
    const clientToken = event.clientToken ?? event.document.clientToken
    pendingLive.push({ ...entryOf(open, event.document, event.source, clientToken), ...(event.previous ? { previousVersion: event.previous.version } : {}) })
    // While the pages are read, live versions wait for them (open applies them after).
    if (!loading.pending.value) liveTimer ??= setTimeout(flushLive, liveBatchMs)
  })
  onScopeDispose(() => {
    stopDocuments()
    clearTimeout(liveTimer)
  })

  // ---- older timeline pages ------------------------------------------------------------------------

  const paging = trackedCall()
  /**
   * Timeline page `page` (1 is the newest), newest first, `timelinePageSize` a page; pages after
   * the first are read back from the back end (without documents) by the time span their versions
   * cover. A live version's time here is when this window received it; the back end recorded it a
   * little earlier, so the span starts `recordedEarlierMs` before and the versions are picked by number.
   */
  async function timelinePage(page: number): Promise<HistoryVersionView[]> {
    const target = key.value
    const line = series.value
    const end = line.length - (page - 1) * timelinePageSize
    if (!target || end <= 0) return []
    if (page === 1) return [...versions.value].reverse()
    const start = Math.max(0, end - timelinePageSize)
    const lowest = line.versions[start]!
    const highest = line.versions[end - 1]!
    const times = line.times.slice(start, end)
    const from = Math.max(0, Math.floor(Math.min(...times) * 1000) - recordedEarlierMs)
    const to = Math.ceil(Math.max(...times) * 1000) + 1000
    const rows: HistoryVersionView[] = []
    // Pages come in version order: past `highest`, the rest are newer than this page.
    const pastPage = new AbortController()
    await paging.run(() =>
      eachPage(
        async (nextToken) => {
          const answer = await api.call('history.versions', { ...withKey(target), ...rangeArgs({ from: Math.max(from, range.value.from ?? 0), to }), maxResults: pageSize, ...(nextToken ? { nextToken } : {}) })
          return { items: answer.versions, ...(answer.nextToken ? { nextToken: answer.nextToken } : {}) }
        },
        (items) => {
          rows.push(...items.filter((version) => version.version >= lowest && version.version <= highest))
          if ((items.at(-1)?.version ?? -1) >= highest) pastPage.abort()
        },
        AbortSignal.any([reading.signal, pastPage.signal])
      )
    )
    return rows.reverse()
  }

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

  /** Every sync latency so far, in order (the tracker's own list: read it, don't keep it). */
  const latencies = computed(() => (revision.value, latencyTracker.latencies))
  const latencyCount = computed(() => (revision.value, latencyTracker.latencies.length))
  /** The newest desired change the reported state caught up with. */
  const lastSyncLatency = computed(() => (revision.value, latencyTracker.latencies.at(-1) ?? null))
  const medianSyncLatencyMs = computed(() => (revision.value, latencyTracker.medianMs))
  /** Versions per minute over the five minutes before `now`. */
  const updateRate = (now: number): number => (revision.value, updatesPerMinute(series.value, now))

  return {
    key,
    range,
    versions,
    versionCount,
    series,
    revision,
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
    timelinePage,
    paging: paging.pending,
    pageError: paging.error,
    latencies,
    latencyCount,
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

/** The newest `timelinePageSize` of `known` and `added` (neither holds a version of the other), in version order. */
function newest(known: readonly HistoryVersionView[], added: readonly HistoryVersionView[]): HistoryVersionView[] {
  const last = known.at(-1)?.version ?? -1
  // The usual case: newer versions at the end, no sort.
  const all = added[0]!.version > last ? [...known, ...added] : [...known, ...added].sort((a, b) => a.version - b.version)
  return all.length > timelinePageSize ? all.slice(-timelinePageSize) : all
}
