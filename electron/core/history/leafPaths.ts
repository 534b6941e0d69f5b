import type { JsonObject, JsonValue } from '../../contract'

// The leaves of a shadow's state, for one CSV column each. An array is a leaf (an update replaces an
// array whole, so its items have no life of their own); an empty object has no leaf.

export type LeafPath = readonly string[]

/** Calls `visit` with the path and value of every leaf under `value`, `prefix` first. */
export function forEachLeaf(value: JsonValue | undefined, prefix: LeafPath, visit: (path: LeafPath, leaf: JsonValue) => void): void {
  if (value === undefined) return
  if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) forEachLeaf(child, [...prefix, key], visit)
    return
  }
  visit(prefix, value)
}

/** The value at `path`, or undefined when the document has none there. */
export function valueAt(root: JsonObject, path: LeafPath): JsonValue | undefined {
  let value: JsonValue | undefined = root
  for (const key of path) {
    if (!isObject(value)) return undefined
    value = Object.hasOwn(value, key) ? value[key] : undefined
  }
  return value
}

/**
 * A column name a spreadsheet user can read: keys joined with ".", a key that holds ".", "[" or a
 * double quote (or is empty) written as ["…"] so that two different paths never share a name.
 */
export function leafPathName(path: LeafPath): string {
  return path.map((key, index) => (/^[^.["]+$/.test(key) ? `${index === 0 ? '' : '.'}${key}` : `[${JSON.stringify(key)}]`)).join('')
}

const isObject = (value: JsonValue | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value)
