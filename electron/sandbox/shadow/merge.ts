import { isEmptyObject, isJsonObject, ownMember, setMember, type JsonObject, type JsonValue } from './json'
import type { SectionPatch } from './request'

// How an update changes `desired` or `reported` (research/iot-core.md §1.4): a key set to null is
// deleted at any depth (deleting a missing key does nothing); an object merges into a stored object;
// anything else (scalars, arrays, a change of type) replaces the stored value whole. Empty objects
// sent as values are stored as they are; a section left with no keys, or set to null, disappears.
// Nothing is mutated: the result shares unchanged subtrees with `stored`.

/** The section after the patch, or undefined when it is empty or removed. */
export function mergeSection(stored: JsonObject | undefined, patch: SectionPatch): JsonObject | undefined {
  if (patch === null) return undefined
  const merged = mergeObject(stored ?? {}, patch)
  return isEmptyObject(merged) ? undefined : merged
}

function mergeObject(stored: JsonObject, patch: JsonObject): JsonObject {
  const result: JsonObject = {}
  for (const key of Object.keys(stored)) setMember(result, key, stored[key])
  for (const key of Object.keys(patch)) {
    const change = patch[key]
    const current = ownMember(result, key)
    if (change === null) delete result[key]
    else if (isJsonObject(change) && current !== undefined && isJsonObject(current)) setMember(result, key, mergeObject(current, change))
    else {
      const value = withoutNulls(change)
      if (value === undefined) delete result[key]
      else setMember(result, key, value)
    }
  }
  return result
}

// A new object value carries no nulls (they delete nothing there); an object that held only nulls
// is not stored at all, as in Greengrass ShadowManager (`createMergeTree`), while `{}` itself is kept.
function withoutNulls(value: JsonValue): JsonValue | undefined {
  if (!isJsonObject(value)) return value
  const result: JsonObject = {}
  let droppedSomething = false
  for (const key of Object.keys(value)) {
    const child = value[key] === null ? undefined : withoutNulls(value[key])
    if (child === undefined) droppedSomething = true
    else setMember(result, key, child)
  }
  return droppedSomething && isEmptyObject(result) ? undefined : result
}
