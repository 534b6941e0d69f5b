import { isJsonObject, type JsonObject } from './document'

/**
 * `patch` merged into `state` the way the shadow service merges a section (research/iot-core.md
 * §1.4): objects recursively, `null` deletes the key, anything else (arrays too) replaces. Returns a
 * new object; neither argument is changed.
 */
export function mergeState(state: JsonObject, patch: JsonObject): JsonObject {
  const merged: JsonObject = { ...state }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key]
    else if (isJsonObject(value) && isJsonObject(merged[key])) merged[key] = mergeState(merged[key], value)
    else merged[key] = value
  }
  return merged
}
