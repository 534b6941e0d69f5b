import type { JsonObject } from './json'
import type { ShadowKey } from './names'

// What is kept of a shadow, and the seam to durable storage. One record is one shadow's whole
// document, written in one piece (for the sandbox's Store: one `commit([{op: 'put', ...}])`), so a
// crash leaves every shadow at its old or its new version, never in between.

export interface ShadowState {
  desired?: JsonObject
  reported?: JsonObject
}

export interface ShadowMetadata {
  desired?: JsonObject
  reported?: JsonObject
}

export interface ShadowRecord extends ShadowKey {
  /** The last accepted version (for a deleted shadow: the version it had when deleted). */
  version: number
  state: ShadowState
  metadata: ShadowMetadata
  /**
   * Epoch milliseconds of the delete, when the shadow has been deleted. The record stays so that a
   * shadow re-created within 48 hours continues the version count (research/iot-core.md §1.1).
   */
  deletedAt?: number
}

export interface ShadowPersistence {
  /**
   * Makes `record` durable. Called before the book changes its memory or answers: when it throws,
   * the operation is refused with InternalFailureException and nothing changes. Must not keep a
   * reference it later mutates (the book's records are frozen).
   */
  save(record: Readonly<ShadowRecord>): void
}

/** The record's key in a store collection: `${thingName}\u0000${shadowName}` (empty for the classic shadow). */
export function shadowRecordKey(key: ShadowKey): string {
  return `${key.thingName}\u0000${key.shadowName ?? ''}`
}
