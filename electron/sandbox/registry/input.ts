import { IotError } from '../http/iotError'

// Typed members of a request body, for the shapes http/input.ts does not cover (booleans, integers,
// maps, lists, nested members). The SDK always sends the right JSON types, but hand-made calls (curl,
// the CLI with --cli-input-json) may not; a wrong type is refused with the member's path, as AWS does
// with a SerializationException, rather than stored.

export type JsonObject = Record<string, unknown>

function wrongType(member: string, expected: string, value: unknown): never {
  throw new IotError('SerializationException', 400, `The member '${member}' must be ${expected}, not ${JSON.stringify(value)}.`)
}

export function optionalString(obj: JsonObject, name: string, member = name): string | undefined {
  const value = obj[name]
  if (value === undefined || value === null) return undefined
  return typeof value === 'string' ? value : wrongType(member, 'a string', value)
}

export function optionalBoolean(obj: JsonObject, name: string, member = name): boolean | undefined {
  const value = obj[name]
  if (value === undefined || value === null) return undefined
  return typeof value === 'boolean' ? value : wrongType(member, 'true or false', value)
}

export function optionalInteger(obj: JsonObject, name: string, member = name): number | undefined {
  const value = obj[name]
  if (value === undefined || value === null) return undefined
  return Number.isSafeInteger(value) ? (value as number) : wrongType(member, 'a whole number', value)
}

export function optionalObject(obj: JsonObject, name: string, member = name): JsonObject | undefined {
  const value = obj[name]
  if (value === undefined || value === null) return undefined
  return typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : wrongType(member, 'an object', value)
}

export function optionalStringMap(obj: JsonObject, name: string, member = name): Record<string, string> | undefined {
  const map = optionalObject(obj, name, member)
  if (map === undefined) return undefined
  for (const [key, value] of Object.entries(map))
    if (typeof value !== 'string') wrongType(`${member}.${key}`, 'a string', value)
  return map as Record<string, string>
}

export function optionalStringList(obj: JsonObject, name: string, member = name): string[] | undefined {
  const value = obj[name]
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    wrongType(member, 'a list of strings', value)
  return value as string[]
}

/** A query parameter's value, `undefined` when absent. */
export function queryString(query: URLSearchParams, name: string): string | undefined {
  return query.get(name) ?? undefined
}
