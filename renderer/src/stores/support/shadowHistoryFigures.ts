import type { HistoryVersionView } from '@contract/history'
import type { JsonObject, JsonValue } from '@contract/shadow'

// What the history panel derives from a shadow's versions: the numeric leaves a chart can plot,
// their values over time, and the shadow's metrics (update rate, sync latency).

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

/** The leaf paths that hold a number in at least one version, sorted. */
export function numericLeafPaths(versions: readonly HistoryVersionView[]): string[] {
  const paths = new Set<string>()
  for (const version of versions) for (const [path, value] of leavesOf(version.document?.state)) if (typeof value === 'number') paths.add(path)
  return [...paths].sort()
}

/** uPlot's columns: times (epoch seconds) and one column per path (null where the version has no number there). */
export function seriesColumns(versions: readonly HistoryVersionView[], paths: readonly string[]): [number[], ...(number | null)[][]] {
  const times: number[] = []
  const columns: (number | null)[][] = paths.map(() => [])
  for (const version of versions) {
    if (!version.document) continue
    const leaves = leavesOf(version.document.state)
    times.push(version.time / 1000)
    paths.forEach((path, index) => {
      const value = leaves.get(path)
      columns[index]!.push(typeof value === 'number' ? value : null)
    })
  }
  return [times, ...columns]
}

/** Versions per minute over the `windowMs` before `now`. */
export function updatesPerMinute(versions: readonly HistoryVersionView[], now: number, windowMs = 5 * 60_000): number {
  const since = now - windowMs
  let count = 0
  for (let index = versions.length - 1; index >= 0 && versions[index]!.time >= since; index--) if (versions[index]!.time <= now) count++
  return count / (windowMs / 60_000)
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
 * value replaced or cleared before the device caught up has no latency.
 */
export function syncLatencies(versions: readonly HistoryVersionView[]): SyncLatency[] {
  const latencies: SyncLatency[] = []
  const waiting = new Map<string, { value: string; version: number; time: number }>()
  // The first version is where the history starts, not a change: what it wants came before it.
  let desiredBefore: Map<string, string> | null = null
  for (const version of versions) {
    if (!version.document) continue
    const leaves = leavesOf(version.document.state)
    const desiredNow = new Map<string, string>()
    for (const [path, value] of leaves) if (path.startsWith('desired.')) desiredNow.set(path.slice('desired.'.length), JSON.stringify(value))
    if (desiredBefore) for (const [key, value] of desiredNow) if (desiredBefore.get(key) !== value) waiting.set(key, { value, version: version.version, time: version.time })
    for (const key of waiting.keys()) if (!desiredNow.has(key)) waiting.delete(key)
    for (const [key, wanted] of waiting) {
      const reported = leaves.get(`reported.${key}`)
      if (reported === undefined || JSON.stringify(reported) !== wanted.value) continue
      latencies.push({ key, desiredVersion: wanted.version, reportedVersion: version.version, ms: version.time - wanted.time })
      waiting.delete(key)
    }
    desiredBefore = desiredNow
  }
  return latencies
}
