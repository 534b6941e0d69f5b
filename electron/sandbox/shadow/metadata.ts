import { isJsonObject, ownMember, setMember, type JsonObject, type JsonValue } from './json'

// Per-leaf timestamps (research/iot-core.md §1.2): metadata mirrors the state with every leaf
// replaced by {"timestamp": <epoch seconds>}; an array's metadata is an array of its elements'
// metadata. It accumulates across updates: only what an update touched gets the new timestamp, and
// a key deleted from the state loses its metadata.

export interface LeafMetadata extends JsonObject {
  timestamp: number
}

/** The metadata of a value written at `timestamp` (every leaf, and every null, gets one). */
export function metadataOf(value: JsonValue, timestamp: number): JsonValue {
  if (Array.isArray(value)) return value.map((item) => metadataOf(item, timestamp))
  if (isJsonObject(value)) {
    const result: JsonObject = {}
    for (const key of Object.keys(value)) setMember(result, key, metadataOf(value[key], timestamp))
    return result
  }
  const leaf: LeafMetadata = { timestamp }
  return leaf
}

/**
 * A section's metadata after an update: `previousState`/`previousMetadata` before it, `patch` the
 * request's object for the section, `mergedState` the section after the merge.
 */
export function mergeMetadata(
  previousState: JsonObject | undefined,
  previousMetadata: JsonObject | undefined,
  patch: JsonObject,
  mergedState: JsonObject | undefined,
  timestamp: number
): JsonObject | undefined {
  if (mergedState === undefined) return undefined
  const result: JsonObject = {}
  for (const key of Object.keys(mergedState)) {
    const kept = ownMember(previousMetadata, key)
    if (kept !== undefined) setMember(result, key, kept)
  }
  for (const key of Object.keys(patch)) {
    const value = ownMember(mergedState, key)
    if (value === undefined) {
      delete result[key]
      continue
    }
    const change = patch[key]
    const before = ownMember(previousState, key)
    const beforeMetadata = ownMember(previousMetadata, key)
    // An object merged into an object keeps the metadata of the keys it did not touch.
    const merges = isJsonObject(change) && before !== undefined && isJsonObject(before) && beforeMetadata !== undefined && isJsonObject(beforeMetadata)
    setMember(
      result,
      key,
      merges ? (mergeMetadata(before, beforeMetadata, change, value as JsonObject, timestamp) ?? {}) : metadataOf(value, timestamp)
    )
  }
  return result
}

/** The metadata of a delta: the desired metadata restricted to the delta's paths. */
export function deltaMetadata(delta: JsonObject, desiredMetadata: JsonObject | undefined): JsonObject {
  const result: JsonObject = {}
  for (const key of Object.keys(delta)) {
    const value = delta[key]
    const metadata = ownMember(desiredMetadata, key)
    if (metadata === undefined) continue
    if (isJsonObject(value) && isJsonObject(metadata)) setMember(result, key, deltaMetadata(value, metadata))
    else setMember(result, key, metadata)
  }
  return result
}
