// The Device Shadow documents as AWS sends them (research/iot-core.md §1.2, §1.7): what get,
// update, delete, update/delta and update/documents carry, on MQTT and over HTTP alike.

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject
export interface JsonObject {
  [key: string]: JsonValue
}

/** A shadow's identity: `shadowName` absent for the classic shadow. */
export interface ShadowKey {
  thingName: string
  shadowName?: string
}

export interface ShadowState {
  desired?: JsonObject
  reported?: JsonObject
  /** Desired against reported; only in get answers, and only when not empty. */
  delta?: JsonObject
}

/** The full document: a get answer, or `current` / `previous` of update/documents (those have no delta). */
export interface ShadowDocument {
  state: ShadowState
  metadata: { desired?: JsonObject; reported?: JsonObject }
  version: number
  /** Epoch seconds when AWS produced the answer (not when the shadow last changed). */
  timestamp?: number
  clientToken?: string
}

/** What an update asks for: each section merged into the shadow (`null` deletes a key or the whole section). */
export interface ShadowStateChange {
  desired?: JsonObject | null
  reported?: JsonObject | null
}

/** The request document of an update; `state: null` clears desired and reported. */
export interface ShadowUpdateRequest {
  state: ShadowStateChange | null
  /** Optimistic locking: the update is refused with 409 unless the shadow is at exactly this version. */
  version?: number
}

/** The accepted answer to an update: the request's state echoed, its metadata, the new version. */
export interface ShadowUpdateAccepted {
  state: ShadowStateChange | null
  metadata?: JsonObject
  version: number
  timestamp?: number
  clientToken?: string
}

export interface ShadowDeleted {
  /** The deleted document's version; a re-created shadow continues after it. */
  version: number
  timestamp?: number
  clientToken?: string
}

/** An update/delta message: the delta itself (no desired/reported wrapper) at the version that produced it. */
export interface ShadowDelta {
  state: JsonObject
  metadata?: JsonObject
  version: number
  timestamp?: number
  /** The clientToken of the update that produced this delta. */
  clientToken?: string
}

/** An update/documents message: the shadow before (null when the update created it) and after. */
export interface ShadowDocuments {
  previous: ShadowDocument | null
  current: ShadowDocument
  timestamp?: number
  clientToken?: string
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function describeShadow(key: ShadowKey): string {
  return key.shadowName === undefined ? `the classic shadow of ${key.thingName}` : `the shadow "${key.shadowName}" of ${key.thingName}`
}
