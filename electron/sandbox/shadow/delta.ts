import { isEmptyObject, isJsonObject, jsonEqual, ownMember, setMember, type JsonObject } from './json'

// The delta (research/iot-core.md §1.5): walk `desired`; a key missing from `reported` is included
// with the desired value, two objects are compared key by key (only differing leaves, with their
// full path, empty sub-results dropped), anything else (arrays, scalars, a change of type) is
// included whole when unequal. Keys only in `reported` never appear. An empty delta is absent.

export function computeDelta(desired: JsonObject | undefined, reported: JsonObject | undefined): JsonObject | undefined {
  if (desired === undefined) return undefined
  const delta = deltaOf(desired, reported ?? {})
  return isEmptyObject(delta) ? undefined : delta
}

function deltaOf(desired: JsonObject, reported: JsonObject): JsonObject {
  const result: JsonObject = {}
  for (const key of Object.keys(desired)) {
    const wanted = desired[key]
    const actual = ownMember(reported, key)
    if (actual === undefined) setMember(result, key, wanted)
    else if (isJsonObject(wanted) && isJsonObject(actual)) {
      const nested = deltaOf(wanted, actual)
      if (!isEmptyObject(nested)) setMember(result, key, nested)
    } else if (!jsonEqual(wanted, actual)) setMember(result, key, wanted)
  }
  return result
}
