import { invalidRequest } from '../http/iotError'
import { assertValid, rules, type StringRule } from '../http/validate'
import { optionalBoolean, optionalObject, optionalStringMap, type JsonObject } from '../http/input'

// The `attributePayload` of things and thing groups: reading and checking it, and applying it to
// the attributes already stored (research/iot-core.md §4.2: merge true merges, otherwise replaces;
// an empty-string value removes the attribute).

export interface AttributePayload {
  attributes?: Record<string, string>
  merge: boolean
}

/** AWS's per-thing attribute limits (§4.2) and the per-group limit (§4.4). */
export const MAX_THING_ATTRIBUTES_WITHOUT_TYPE = 3
export const MAX_THING_ATTRIBUTES_WITH_TYPE = 50
export const MAX_GROUP_ATTRIBUTES = 50

/** Reads `container[name]` as an AttributePayload and checks every attribute name and value. */
export function readAttributePayload(container: JsonObject, name: string, member: string): AttributePayload | undefined {
  const payload = optionalObject(container, name, member)
  if (payload === undefined) return undefined
  const attributes = optionalStringMap(payload, 'attributes', `${member}.attributes`)
  const merge = optionalBoolean(payload, 'merge', `${member}.merge`) ?? false
  if (attributes) assertAttributesValid(attributes, `${member}.attributes`)
  return { attributes, merge }
}

function assertAttributesValid(attributes: Record<string, string>, member: string): void {
  const checks: Array<[string, string, StringRule]> = []
  for (const [key, value] of Object.entries(attributes)) {
    checks.push([key, `${member}.key`, rules.attributeName])
    checks.push([value, `${member}.${key}`, rules.attributeValue])
  }
  assertValid(checks)
}

/** The attributes after applying the payload; values that are empty strings are removed. */
export function applyAttributePayload(
  current: Record<string, string>,
  payload: AttributePayload | undefined
): Record<string, string> {
  // A Map, then fromEntries: an attribute named `__proto__` stays an ordinary attribute.
  if (payload?.attributes === undefined) return Object.fromEntries(Object.entries(current))
  const result = new Map(payload.merge ? Object.entries(current) : [])
  for (const [key, value] of Object.entries(payload.attributes)) {
    if (value === '') result.delete(key)
    else result.set(key, value)
  }
  return Object.fromEntries(result)
}

export function assertThingAttributeCount(thingName: string, attributes: Record<string, string>, hasType: boolean): void {
  const count = Object.keys(attributes).length
  const limit = hasType ? MAX_THING_ATTRIBUTES_WITH_TYPE : MAX_THING_ATTRIBUTES_WITHOUT_TYPE
  if (count <= limit) return
  const advice = hasType
    ? 'Remove attributes.'
    : `Give the thing a thing type (up to ${MAX_THING_ATTRIBUTES_WITH_TYPE} attributes) or remove attributes.`
  throw invalidRequest(
    `Thing ${thingName} would have ${count} attributes; a thing ${hasType ? 'with' : 'without'} a thing type can have at most ${limit}. ${advice}`
  )
}

export function assertGroupAttributeCount(groupName: string, attributes: Record<string, string>): void {
  const count = Object.keys(attributes).length
  if (count > MAX_GROUP_ATTRIBUTES)
    throw invalidRequest(
      `Thing group ${groupName} would have ${count} attributes; a thing group can have at most ${MAX_GROUP_ATTRIBUTES}. Remove attributes.`
    )
}

export function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && b[key] === a[key])
}
