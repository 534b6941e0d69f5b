import type { ThingSummary } from '@contract/api'

// The Things registry filters every loaded thing on each keystroke (10,000 rows must stay under
// 100 ms), so filtering is one pass over the list with the lowercase names computed once per list.

export interface ThingFilterCriteria {
  /** Part of the thing name, in any case. Blank matches every thing. */
  search?: string
  /** Only things of this thing type. */
  thingTypeName?: string | null
  /** Only these things: those in the chosen thing group or any group below it (from groups.describe). */
  groupMembers?: ReadonlySet<string> | null
  /** Only things carrying this attribute... */
  attributeName?: string | null
  /** ...with exactly this value (blank: any value). */
  attributeValue?: string | null
  /** More attribute filters, all of which must match (AWS's ListThings takes only one, so all are applied here). */
  attributeFilters?: ReadonlyArray<AttributeFilter>
}

export interface AttributeFilter {
  attributeName: string
  /** Blank: any value. */
  attributeValue: string
}

// Keyed by the list itself: the store replaces the list on every load, so stale names cannot linger.
const lowercaseNames = new WeakMap<readonly ThingSummary[], string[]>()

function namesInLowercase(things: readonly ThingSummary[]): string[] {
  let names = lowercaseNames.get(things)
  if (!names || names.length !== things.length) {
    names = things.map((thing) => thing.thingName.toLowerCase())
    lowercaseNames.set(things, names)
  }
  return names
}

export function filterThings(things: readonly ThingSummary[], criteria: ThingFilterCriteria): ThingSummary[] {
  const search = criteria.search?.trim().toLowerCase() ?? ''
  const thingTypeName = criteria.thingTypeName || null
  const members = criteria.groupMembers ?? null
  const attributeName = criteria.attributeName?.trim() || null
  const attributes: AttributeFilter[] = [
    ...(attributeName ? [{ attributeName, attributeValue: criteria.attributeValue ?? '' }] : []),
    ...(criteria.attributeFilters ?? []).filter((f) => f.attributeName.trim())
  ]
  if (!search && !thingTypeName && !members && !attributes.length) return things.slice()

  const names = search ? namesInLowercase(things) : null
  const matches: ThingSummary[] = []
  for (let i = 0; i < things.length; i++) {
    const thing = things[i]
    if (names && !names[i].includes(search)) continue
    if (thingTypeName && thing.thingTypeName !== thingTypeName) continue
    if (members && !members.has(thing.thingName)) continue
    if (attributes.length && !attributes.every((f) => hasAttribute(thing, f))) continue
    matches.push(thing)
  }
  return matches
}

function hasAttribute(thing: ThingSummary, { attributeName, attributeValue }: AttributeFilter): boolean {
  const value = thing.attributes[attributeName]
  return value !== undefined && (attributeValue === '' || value === attributeValue)
}

/** Reads the attribute filter box: "name=value", or "name" for any value. */
export function parseAttributeFilter(text: string): { attributeName: string | null; attributeValue: string } {
  const trimmed = text.trim()
  if (!trimmed) return { attributeName: null, attributeValue: '' }
  const equals = trimmed.indexOf('=')
  if (equals < 0) return { attributeName: trimmed, attributeValue: '' }
  return { attributeName: trimmed.slice(0, equals).trim() || null, attributeValue: trimmed.slice(equals + 1).trim() }
}
