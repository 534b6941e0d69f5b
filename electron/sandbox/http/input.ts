import { IotError, invalidRequest } from './iotError'
import type { SandboxRequest } from './route'

// Reading request members with AWS's refusals: a missing required member or a malformed value is an
// InvalidRequestException in Coral's wording; a body that is not a JSON object, or a member of the
// wrong JSON type, a SerializationException with the member's path. The SDK always sends the right
// types, but hand-made calls (curl, the CLI with --cli-input-json) may not; such values are refused,
// never stored.

export type JsonObject = Record<string, unknown>

const mustNotBeNull = (member: string): IotError =>
  invalidRequest(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`)

function wrongType(member: string, expected: string, value: unknown): never {
  throw new IotError('SerializationException', 400, `The member '${member}' must be ${expected}, not ${JSON.stringify(value)}.`)
}

export function bodyObject(req: SandboxRequest): JsonObject {
  if (req.body === undefined) return {}
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))
    throw new IotError('SerializationException', 400, 'The request body must be a JSON object.')
  return req.body as JsonObject
}

/** A string member of the body; `undefined` when absent and not required. */
export function bodyString(body: JsonObject, member: string, required: true): string
export function bodyString(body: JsonObject, member: string, required?: false): string | undefined
export function bodyString(body: JsonObject, member: string, required = false): string | undefined {
  const value = optionalString(body, member)
  if (value === undefined && required) throw mustNotBeNull(member)
  return value
}

// The optional* readers take the member's name in `obj` and, for nested objects, its path for errors.

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
export function queryString(req: SandboxRequest, name: string): string | undefined {
  return req.query.get(name) ?? undefined
}

export function requiredHeader(req: SandboxRequest, header: string, member: string): string {
  const value = req.headers[header]
  if (value === undefined || value === '') throw mustNotBeNull(member)
  return value
}

export function queryBoolean(req: Pick<SandboxRequest, 'query'>, name: string): boolean | undefined {
  const value = req.query.get(name)
  if (value === null) return undefined
  if (value === 'true') return true
  if (value === 'false') return false
  throw invalidRequest(`The query parameter '${name}' must be true or false, not '${value}'.`)
}

export function queryInteger(req: SandboxRequest, name: string, min: number, max: number): number | undefined {
  const value = req.query.get(name)
  if (value === null) return undefined
  const parsed = Number(value)
  if (!Number.isInteger(parsed))
    throw invalidRequest(`1 validation error detected: Value '${value}' at '${name}' failed to satisfy constraint: Member must be an integer`)
  if (parsed < min)
    throw invalidRequest(`1 validation error detected: Value '${value}' at '${name}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`)
  if (parsed > max)
    throw invalidRequest(`1 validation error detected: Value '${value}' at '${name}' failed to satisfy constraint: Member must have value less than or equal to ${max}`)
  return parsed
}

/** Checks an enum member the way Coral words it. */
export function assertEnum<T extends string>(value: string, member: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw invalidRequest(
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`
  )
}

/** Epoch milliseconds to the wire's epoch seconds. */
export const epochSeconds = (ms: number): number => ms / 1000
