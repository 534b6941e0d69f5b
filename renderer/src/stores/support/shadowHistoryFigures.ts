import type { HistoryVersionView } from '@contract/history'
import type { JsonObject, JsonValue } from '@contract/shadow'

// What the history panel derives from a shadow's versions: the numeric leaves a chart can plot,
// their values over time, and the shadow's metrics (update rate, sync latency). Each is kept
// incrementally, a version at a time, so a live update costs the same at version 10 as at 100,000.

const isObject = (value: JsonValue | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Every leaf of a section as "reported.temperature" -> value; arrays are one value (a shadow replaces them whole). */
export function leavesOf(state: { desired?: JsonObject; reported?: JsonObject } | undefined): Map<string, JsonValue> {
  const leaves = new Map<string, JsonValue>()
  const visit = (value: JsonValue, path: string): void => {
    if (isObject(value)) for (const [key, child] of Object.entries(value)) visit(child, `${path}.${key}`)
    else leaves.set(path, value)
  }
  for (const section of ['desired', 'reported'] as const) {
    const value = state?.[section]
    if (value) visit(value, section)
  }
  return leaves
}

/** How many of the ascending `sorted` are below `value` (or, `orEqual`, at most `value`): where it goes. */
function insertionPoint(sorted: readonly number[], value: number, orEqual = true): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (orEqual ? sorted[middle]! <= value : sorted[middle]! < value) low = middle + 1
    else high = middle
  }
  return low
}

/**
 * Every version of the range as a row: its number, its time and, per numeric leaf, its value (null
 * where that version has no number there). uPlot plots these arrays as they are; an append is O(1)
 * per leaf (a version older than the newest, rare, is spliced into place).
 */
export class HistorySeries {
  readonly versions: number[] = []
  /** Epoch seconds, uPlot's x. */
  readonly times: number[] = []
  private readonly columns = new Map<string, (number | null)[]>()
  private sortedPaths: string[] | null = []

  get length(): number {
    return this.versions.length
  }

  has(version: number): boolean {
    const at = insertionPoint(this.versions, version) - 1
    return at >= 0 && this.versions[at] === version
  }

  /** Adds a version (one not in the series); returns whether it went at the end. */
  add(version: HistoryVersionView): boolean {
    const at = insertionPoint(this.versions, version.version)
    const atEnd = at === this.versions.length
    const numbers = new Map<string, number>()
    for (const [path, value] of leavesOf(version.document?.state)) if (typeof value === 'number') numbers.set(path, value)
    for (const path of numbers.keys())
      if (!this.columns.has(path)) {
        this.columns.set(path, new Array<number | null>(this.versions.length).fill(null))
        this.sortedPaths = null
      }
    const put = <T>(list: T[], value: T) => (atEnd ? list.push(value) : list.splice(at, 0, value))
    put(this.versions, version.version)
    put(this.times, version.time / 1000)
    for (const [path, column] of this.columns) put(column, numbers.get(path) ?? null)
    return atEnd
  }

  /** The leaf paths that hold a number in at least one version, sorted. */
  get paths(): readonly string[] {
    return (this.sortedPaths ??= [...this.columns.keys()].sort())
  }

  /** A leaf's values, one per version (the series' own array: uPlot reads it, nobody copies it). */
  column(path: string): (number | null)[] {
    return this.columns.get(path) ?? new Array<number | null>(this.versions.length).fill(null)
  }

  /** How many versions have a time within [from, to] (times are nearly always in version order). */
  countBetween(from: number, to: number): number {
    return Math.max(0, insertionPoint(this.times, to / 1000) - insertionPoint(this.times, from / 1000, false))
  }
}

/** The leaf paths that hold a number in at least one version, sorted. */
export function numericLeafPaths(versions: readonly HistoryVersionView[]): string[] {
  return [...seriesOf(versions).paths]
}

/** uPlot's columns: times (epoch seconds) and one column per path (null where the version has no number there). */
export function seriesColumns(versions: readonly HistoryVersionView[], paths: readonly string[]): [number[], ...(number | null)[][]] {
  const series = seriesOf(versions.filter((version) => version.document))
  return [series.times, ...paths.map((path) => series.column(path))]
}

function seriesOf(versions: readonly HistoryVersionView[]): HistorySeries {
  const series = new HistorySeries()
  for (const version of versions) if (!series.has(version.version)) series.add(version)
  return series
}

/** Versions per minute over the `windowMs` before `now`. */
export function updatesPerMinute(series: HistorySeries, now: number, windowMs = 5 * 60_000): number {
  return series.countBetween(now - windowMs, now) / (windowMs / 60_000)
}

export interface SyncLatency {
  /** The desired leaf, "temperature" for desired.temperature. */
  key: string
  desiredVersion: number
  reportedVersion: number
  ms: number
}

/**
 * From a desired change to the reported state matching it: for each version where desired.k took a
 * new value, the time to the first version (the same or later) whose reported.k equals it. A desired
 * value replaced or cleared before the device caught up has no latency. Versions are given in order,
 * one at a time; the median is kept from a sorted list (an insertion, not a sort, per latency).
 */
export class SyncLatencyTracker {
  readonly latencies: SyncLatency[] = []
  private readonly sortedMs: number[] = []
  private readonly waiting = new Map<string, { value: string; version: number; time: number }>()
  // The first version is where the history starts, not a change: what it wants came before it.
  private desiredBefore: Map<string, string> | null = null

  add(version: HistoryVersionView): void {
    if (!version.document) return
    const leaves = leavesOf(version.document.state)
    const desiredNow = new Map<string, string>()
    for (const [path, value] of leaves) if (path.startsWith('desired.')) desiredNow.set(path.slice('desired.'.length), JSON.stringify(value))
    if (this.desiredBefore) for (const [key, value] of desiredNow) if (this.desiredBefore.get(key) !== value) this.waiting.set(key, { value, version: version.version, time: version.time })
    for (const key of this.waiting.keys()) if (!desiredNow.has(key)) this.waiting.delete(key)
    for (const [key, wanted] of this.waiting) {
      const reported = leaves.get(`reported.${key}`)
      if (reported === undefined || JSON.stringify(reported) !== wanted.value) continue
      const ms = version.time - wanted.time
      this.latencies.push({ key, desiredVersion: wanted.version, reportedVersion: version.version, ms })
      this.sortedMs.splice(insertionPoint(this.sortedMs, ms), 0, ms)
      this.waiting.delete(key)
    }
    this.desiredBefore = desiredNow
  }

  get medianMs(): number | null {
    return this.sortedMs.length ? this.sortedMs[Math.floor((this.sortedMs.length - 1) / 2)]! : null
  }
}

export function syncLatencies(versions: readonly HistoryVersionView[]): SyncLatency[] {
  const tracker = new SyncLatencyTracker()
  for (const version of versions) tracker.add(version)
  return tracker.latencies
}
