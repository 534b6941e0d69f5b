import type { ApiEvents, Connection, ShadowDocumentView } from '../contract'
import type { HistoryStore, RecordedVersion, ShadowRef } from '../core/history'

// Records every document a shadow watch sees into the home's history, in the back end, so a watched
// shadow is kept even when no view shows it. The `previous` side of update/documents is a version
// too: kept as its own row (ignored when already there), which costs less than storing it again,
// or a diff, in the row of the version made from it.

export type WatchedDocument = Omit<ApiEvents['shadow.document'], 'watchId'>

export class HistoryRecorder {
  constructor(
    private readonly history: () => HistoryStore,
    /** A history that cannot be opened or written must not stop the watch: the failure is logged. */
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = Date.now
  ) {}

  /** A document a watch opened on `connection` saw (its answer, or a shadow.document event). */
  record(connection: Connection, seen: WatchedDocument): void {
    try {
      this.recordVersions(connection, seen)
    } catch (error) {
      this.onError(error)
    }
  }

  private recordVersions(connection: Connection, seen: WatchedDocument): void {
    const shadow: ShadowRef = { connection: historyConnectionKey(connection), thingName: seen.thingName, ...(seen.shadowName === undefined ? {} : { shadowName: seen.shadowName }) }
    const store = this.history()
    if (seen.previous) store.record(versionOf(shadow, seen.previous, 'previous', lastChanged(seen.previous) ?? this.now()))
    const received = seen.source === 'documents' ? this.now() : (lastChanged(seen.document) ?? this.now())
    const clientToken = seen.clientToken ?? seen.document.clientToken
    store.record({
      ...versionOf(shadow, seen.document, seen.source, received),
      ...(clientToken === undefined ? {} : { clientToken }),
      ...(seen.previous ? { previousVersion: seen.previous.version } : {})
    })
  }
}

/** The history keeps shadows apart per connection: lamp-1 on the Local IoT Core is not lamp-1 in an AWS account. */
export function historyConnectionKey(connection: Connection): string {
  switch (connection.kind) {
    case 'local':
      return 'local'
    case 'endpoint':
      return `endpoint:${connection.url}|${connection.region}`
    case 'profile':
      return `profile:${connection.profile}|${connection.region ?? ''}`
  }
}

function versionOf(shadow: ShadowRef, document: ShadowDocumentView, source: RecordedVersion['source'], time: number): RecordedVersion {
  const { desired, reported } = document.state
  const state = { ...(desired === undefined ? {} : { desired }), ...(reported === undefined ? {} : { reported }) }
  return { ...shadow, version: document.version, time, document: { state, metadata: document.metadata }, source }
}

/** When the document last changed: its newest metadata timestamp (epoch seconds), in ms. */
function lastChanged(document: ShadowDocumentView): number | undefined {
  let newest: number | undefined
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return
    const { timestamp } = value as { timestamp?: unknown }
    if (typeof timestamp === 'number') newest = Math.max(newest ?? 0, timestamp)
    for (const child of Object.values(value)) visit(child)
  }
  visit(document.metadata)
  return newest === undefined ? (document.timestamp === undefined ? undefined : document.timestamp * 1000) : newest * 1000
}
