import { create, type Delta } from 'jsondiffpatch'
import type { JsonObject, JsonValue, ShadowDocumentView } from '@contract/shadow'

// What the inspector derives from a shadow document: its delta (update/documents messages carry
// none), its size as AWS counts it, and which leaves changed between two versions.

const isObject = (value: JsonValue | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value)

/** AWS's delta: the desired values that differ from reported (objects compared key by key, arrays whole). */
export function deltaOf(desired: JsonObject | undefined, reported: JsonObject | undefined): JsonObject | undefined {
  if (!desired) return undefined
  const delta = differing(desired, reported ?? {})
  return Object.keys(delta).length ? delta : undefined
}

function differing(desired: JsonObject, reported: JsonObject): JsonObject {
  const result: JsonObject = {}
  for (const [key, wanted] of Object.entries(desired)) {
    const actual = Object.hasOwn(reported, key) ? reported[key] : undefined
    if (actual === undefined) result[key] = wanted
    else if (isObject(wanted) && isObject(actual)) {
      const nested = differing(wanted, actual)
      if (Object.keys(nested).length) result[key] = nested
    } else if (JSON.stringify(wanted) !== JSON.stringify(actual)) result[key] = wanted
  }
  return result
}

/** Bytes of desired + reported as compact JSON: what AWS holds against the 8 KB limit (metadata excluded). */
export function stateBytes(document: ShadowDocumentView | null): number {
  if (!document) return 0
  const encoder = new TextEncoder()
  let bytes = 0
  for (const section of [document.state.desired, document.state.reported]) if (section !== undefined) bytes += encoder.encode(JSON.stringify(section)).length
  return bytes
}

/** Arrays are one value to a shadow (an update replaces them whole), so a change inside one marks the array. */
const differ = create({ arrays: { detectMove: false } })

/**
 * The leaf paths ("desired.temp", "reported.fan.speed") that were added, changed or removed from
 * `before` to `after`, from jsondiffpatch's delta. The section names come first.
 */
export function changedLeafPaths(before: ShadowDocumentView['state'] | null, after: ShadowDocumentView['state'] | null): string[] {
  const delta = differ.diff(before ?? {}, after ?? {})
  const paths: string[] = []
  collect(delta, [], paths)
  return paths
}

function collect(delta: Delta, path: string[], into: string[]): void {
  if (delta === undefined) return
  // [new], [old, new], [old, 0, 0]: a value added, changed or removed here.
  if (Array.isArray(delta)) {
    into.push(path.join('.'))
    return
  }
  if (typeof delta !== 'object' || delta === null) return
  // An array's inner delta: the array as a whole changed.
  if ((delta as Record<string, unknown>)._t === 'a') {
    into.push(path.join('.'))
    return
  }
  for (const [key, inner] of Object.entries(delta)) collect(inner as Delta, [...path, key], into)
}

/** The newest metadata timestamp (epoch seconds) under a metadata node: a leaf's own, or an array's newest element. */
export function metadataTimestamp(node: JsonValue | undefined): number | undefined {
  if (Array.isArray(node)) {
    const stamps = node.map(metadataTimestamp).filter((s): s is number => s !== undefined)
    return stamps.length ? Math.max(...stamps) : undefined
  }
  if (isObject(node) && typeof node.timestamp === 'number') return node.timestamp
  return undefined
}

/** A JSON object typed in an editor, or the reason it is not one (in plain words). */
export function parseStateObject(text: string): { ok: true; value: JsonObject } | { ok: false; reason: string } {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { ok: false, reason: `This is not valid JSON: ${(error as Error).message}` }
  }
  if (!isObject(value as JsonValue)) return { ok: false, reason: 'Give a JSON object, such as {"temperature": 21}: a shadow section is an object of keys' }
  return { ok: true, value: value as JsonObject }
}
