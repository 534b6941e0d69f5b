import { computeDelta } from './delta'
import { shadowErrors, ShadowError } from './errors'
import { deepFreeze, jsonEqual, type JsonObject } from './json'
import { AWS_SHADOW_LIMITS, type ShadowLimits } from './limits'
import { mergeSection } from './merge'
import { deltaMetadata, mergeMetadata, metadataOf } from './metadata'
import { deleteAcceptedBody, deltaBody, documentsBody, getAcceptedBody, updateAcceptedBody } from './messages'
import { checkShadowKey, displayedShadowName, type ShadowKey } from './names'
import { shadowRecordKey, type ShadowMetadata, type ShadowPersistence, type ShadowRecord, type ShadowState } from './record'
import { parseRequestOptions, parseUpdateRequest, RequestRefusal, SECTIONS, type UpdateRequest } from './request'
import { formatShadowTopic, type ShadowOperation } from './topics'

// Every shadow of the Local IoT Core, in memory, and the three operations on them. Each operation
// returns exactly what AWS's shadow service would send: the reply (`…/accepted` or `…/rejected`;
// over HTTP the response body or the error) and, for an accepted update, the notifications
// (`update/delta` when the delta is not empty, `update/documents`) which are published whatever the
// wire of the request. Shadows do not depend on the registry: an update creates one for any thing
// name (research/iot-core.md §1.1).

export interface ShadowMessage {
  topic: string
  /** Frozen where it shares the stored document: serialize it, do not edit it. */
  payload: JsonObject
}

export type ShadowResult =
  | { accepted: true; reply: ShadowMessage; notifications: ShadowMessage[] }
  | { accepted: false; reply: ShadowMessage; error: ShadowError }

export interface ShadowBookOptions {
  /** Epoch milliseconds; the default is Date.now. Tests pass a fixed clock. */
  clock?: () => number
  limits?: Partial<ShadowLimits>
  /** Records saved earlier (e.g. read back from the store at start). */
  records?: Iterable<ShadowRecord>
  persistence?: ShadowPersistence
  /**
   * When `update/delta` is published: after every accepted update that leaves a non-empty delta
   * (Greengrass ShadowManager, consistent with AWS's docs; the default), or only when that delta
   * differs from the one before the update. Which one the cloud does is UNCONFIRMED.
   */
  deltaPublication?: 'whenNonEmpty' | 'whenChanged'
}

export class ShadowBook {
  private readonly records = new Map<string, ShadowRecord>()
  private readonly clock: () => number
  private readonly limits: ShadowLimits
  private readonly persistence: ShadowPersistence | undefined
  private readonly deltaPublication: 'whenNonEmpty' | 'whenChanged'

  constructor(options: ShadowBookOptions = {}) {
    this.clock = options.clock ?? Date.now
    this.limits = { ...AWS_SHADOW_LIMITS, ...options.limits }
    this.persistence = options.persistence
    this.deltaPublication = options.deltaPublication ?? 'whenNonEmpty'
    for (const record of options.records ?? []) this.records.set(shadowRecordKey(record), freezeRecord(structuredClone(record)))
  }

  /** Runs the operation a request topic names (`…/get`, `…/update`, `…/delete`). */
  handle(operation: ShadowOperation, key: ShadowKey, payload: Uint8Array | string | undefined): ShadowResult {
    if (operation === 'get') return this.get(key, payload)
    if (operation === 'update') return this.update(key, payload ?? '')
    return this.delete(key, payload)
  }

  /** GetThingShadow / `…/get`: the payload is empty or `{"clientToken": "…"}`. */
  get(key: ShadowKey, payload?: Uint8Array | string): ShadowResult {
    return this.run(key, 'get', (timestamp) => {
      const { clientToken } = parseRequestOptions(payload, this.limits)
      const record = this.liveRecord(key)
      if (record === undefined) throw new RequestRefusal(shadowErrors.noShadow(displayedShadowName(key)), clientToken)
      const delta = computeDelta(record.state.desired, record.state.reported)
      return { body: getAcceptedBody(record, delta, { timestamp, clientToken }), notifications: [] }
    })
  }

  /** UpdateThingShadow / `…/update`. */
  update(key: ShadowKey, payload: Uint8Array | string): ShadowResult {
    return this.run(key, 'update', (timestamp, now) => {
      const request = parseUpdateRequest(payload, this.limits)
      const previous = this.liveRecord(key)
      const currentVersion = previous?.version ?? this.rememberedVersion(key, now)
      // Optimistic locking: the request's version must equal the current one (research §1.6). A
      // shadow that does not exist is at version 0, or at its version when deleted within 48 h.
      if (request.version !== undefined && request.version !== currentVersion)
        throw new RequestRefusal(shadowErrors.versionConflict(), request.clientToken)

      const { state, metadata } = applyUpdate(previous, request, timestamp)
      if (documentBytes(state) > this.limits.maxDocumentBytes) throw new RequestRefusal(shadowErrors.tooLarge(), request.clientToken)

      const current = freezeRecord({ ...keyOf(key), version: currentVersion + 1, state, metadata })
      this.save(current, request.clientToken)

      const common = { version: current.version, timestamp, clientToken: request.clientToken }
      const requestMetadata = request.state === null ? metadataOf(null, timestamp) : metadataOf(request.state as JsonObject, timestamp)
      const notifications: ShadowMessage[] = []
      const delta = computeDelta(state.desired, state.reported)
      if (delta !== undefined && this.shouldPublishDelta(previous, delta))
        notifications.push({ topic: formatShadowTopic(key, 'update', 'delta'), payload: deltaBody(delta, deltaMetadata(delta, metadata.desired), common) })
      notifications.push({
        topic: formatShadowTopic(key, 'update', 'documents'),
        payload: documentsBody(previous, current, { timestamp, clientToken: request.clientToken })
      })
      return { body: updateAcceptedBody(request.state, requestMetadata, common), notifications }
    })
  }

  /** DeleteThingShadow / `…/delete`: the reply carries the deleted document's version. */
  delete(key: ShadowKey, payload?: Uint8Array | string): ShadowResult {
    return this.run(key, 'delete', (timestamp, now) => {
      const { clientToken } = parseRequestOptions(payload, this.limits)
      const record = this.liveRecord(key)
      if (record === undefined) throw new RequestRefusal(shadowErrors.noShadow(displayedShadowName(key)), clientToken)
      // The version stays behind so that a shadow re-created within 48 h continues it.
      this.save(freezeRecord({ ...keyOf(key), version: record.version, state: {}, metadata: {}, deletedAt: now }), clientToken)
      return { body: deleteAcceptedBody({ version: record.version, timestamp, clientToken }), notifications: [] }
    })
  }

  /**
   * ListNamedShadowsForThing: the names of the thing's existing named shadows, sorted (the classic
   * shadow is never listed; an unknown thing has none). Paging is the caller's. Throws ShadowError
   * (400) for an invalid thing name.
   */
  listNamedShadows(thingName: string): string[] {
    const invalid = checkShadowKey({ thingName })
    if (invalid) throw invalid
    const names: string[] = []
    for (const record of this.records.values())
      if (record.thingName === thingName && record.shadowName !== undefined && record.deletedAt === undefined) names.push(record.shadowName)
    return names.sort()
  }

  private run(
    key: ShadowKey,
    operation: ShadowOperation,
    operate: (timestamp: number, now: number) => { body: JsonObject; notifications: ShadowMessage[] }
  ): ShadowResult {
    const now = this.clock()
    const timestamp = Math.floor(now / 1000)
    const rejected = (error: ShadowError, clientToken: string | undefined): ShadowResult => ({
      accepted: false,
      reply: { topic: formatShadowTopic(key, operation, 'rejected'), payload: error.rejectedPayload(timestamp, clientToken) },
      error
    })
    const invalid = checkShadowKey(key)
    if (invalid) return rejected(invalid, undefined)
    try {
      const { body, notifications } = operate(timestamp, now)
      return { accepted: true, reply: { topic: formatShadowTopic(key, operation, 'accepted'), payload: body }, notifications }
    } catch (error) {
      if (error instanceof RequestRefusal) return rejected(error.error, error.clientToken)
      throw error
    }
  }

  private liveRecord(key: ShadowKey): ShadowRecord | undefined {
    const record = this.records.get(shadowRecordKey(key))
    return record === undefined || record.deletedAt !== undefined ? undefined : record
  }

  /** The version a missing shadow continues from: its version at delete within the memory window, else 0. */
  private rememberedVersion(key: ShadowKey, now: number): number {
    const record = this.records.get(shadowRecordKey(key))
    if (record?.deletedAt === undefined) return 0
    return now - record.deletedAt < this.limits.versionMemoryMs ? record.version : 0
  }

  private shouldPublishDelta(previous: ShadowRecord | undefined, delta: JsonObject): boolean {
    if (this.deltaPublication === 'whenNonEmpty') return true
    const before = previous && computeDelta(previous.state.desired, previous.state.reported)
    return before === undefined || !jsonEqual(before, delta)
  }

  /** Durable first, then visible: a failed save leaves memory as it was. */
  private save(record: ShadowRecord, clientToken: string | undefined): void {
    try {
      this.persistence?.save(record)
    } catch (error) {
      throw new RequestRefusal(shadowErrors.internalFailure(error), clientToken)
    }
    this.records.set(shadowRecordKey(record), record)
  }
}

/** The document after an accepted update (research §1.4: each section merged on its own). */
function applyUpdate(previous: ShadowRecord | undefined, request: UpdateRequest, timestamp: number): { state: ShadowState; metadata: ShadowMetadata } {
  // `{"state": null}` clears both sections; the shadow stays, with `state: {}` and `metadata: {}`.
  if (request.state === null) return { state: {}, metadata: {} }
  const state: ShadowState = {}
  const metadata: ShadowMetadata = {}
  for (const section of SECTIONS) {
    const before = previous?.state[section]
    const beforeMetadata = previous?.metadata[section]
    const patch = request.state[section]
    if (patch === undefined) {
      if (before !== undefined) state[section] = before
      if (beforeMetadata !== undefined) metadata[section] = beforeMetadata
      continue
    }
    const merged = mergeSection(before, patch)
    if (merged === undefined) continue
    state[section] = merged
    // A non-empty merge result means the patch was an object (null removes the section).
    metadata[section] = mergeMetadata(before, beforeMetadata, patch as JsonObject, merged, timestamp) ?? {}
  }
  return { state, metadata }
}

/** What counts toward the size limit: desired + reported as compact JSON, in UTF-8 bytes (research §1.8). */
function documentBytes(state: ShadowState): number {
  let bytes = 0
  for (const section of SECTIONS) {
    const value = state[section]
    if (value !== undefined) bytes += Buffer.byteLength(JSON.stringify(value), 'utf8')
  }
  return bytes
}

function keyOf(key: ShadowKey): ShadowKey {
  return key.shadowName === undefined ? { thingName: key.thingName } : { thingName: key.thingName, shadowName: key.shadowName }
}

function freezeRecord(record: ShadowRecord): ShadowRecord {
  deepFreeze(record as unknown as JsonObject)
  return record
}
