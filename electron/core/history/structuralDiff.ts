import type { HistoryChange, JsonObject, JsonValue } from '../../contract'

// What changed between two states, key by key. Objects are compared by key; anything else, arrays
// included, is a value compared whole (AWS replaces an array on update rather than merging it).
// Small and dependency-free: the renderer draws its own rich diffs with jsondiffpatch.

export function structuralDiff(before: JsonObject, after: JsonObject, path: string[] = []): HistoryChange[] {
  const changes: HistoryChange[] = []
  for (const [key, old] of Object.entries(before)) {
    const here = [...path, key]
    if (!Object.hasOwn(after, key)) changes.push({ kind: 'removed', path: here, before: old })
    else changes.push(...valueDiff(old, after[key]!, here))
  }
  for (const [key, added] of Object.entries(after)) if (!Object.hasOwn(before, key)) changes.push({ kind: 'added', path: [...path, key], after: added })
  return changes
}

function valueDiff(before: JsonValue, after: JsonValue, path: string[]): HistoryChange[] {
  if (isObject(before) && isObject(after)) return structuralDiff(before, after, path)
  return sameValue(before, after) ? [] : [{ kind: 'changed', path, before, after }]
}

function sameValue(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]!))
  if (isObject(a) && isObject(b)) return structuralDiff(a, b).length === 0
  return false
}

const isObject = (value: JsonValue): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value)
