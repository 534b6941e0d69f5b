import { IotError, invalidRequest } from './iotError'
import type { SandboxRequest } from './route'

// Reading request members with AWS's refusals: a missing required member or a malformed value is an
// InvalidRequestException in Coral's wording, a body that is not a JSON object a SerializationException.

const mustNotBeNull = (member: string): IotError =>
  invalidRequest(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`)

export function bodyObject(req: SandboxRequest): Record<string, unknown> {
  if (req.body === undefined) return {}
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))
    throw new IotError('SerializationException', 400, 'The request body must be a JSON object.')
  return req.body as Record<string, unknown>
}

/** A string member of the body; `undefined` when absent and not required. */
export function bodyString(body: Record<string, unknown>, member: string, required: true): string
export function bodyString(body: Record<string, unknown>, member: string, required?: false): string | undefined
export function bodyString(body: Record<string, unknown>, member: string, required = false): string | undefined {
  const value = body[member]
  if (value === undefined || value === null) {
    if (required) throw mustNotBeNull(member)
    return undefined
  }
  if (typeof value !== 'string')
    throw new IotError('SerializationException', 400, `The member '${member}' must be a string, not ${typeof value}.`)
  return value
}

export function requiredHeader(req: SandboxRequest, header: string, member: string): string {
  const value = req.headers[header]
  if (value === undefined || value === '') throw mustNotBeNull(member)
  return value
}

export function queryBoolean(req: SandboxRequest, name: string): boolean | undefined {
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

export interface Page<T> {
  items: T[]
  /** Token for the next page, absent on the last one. */
  next?: string
}

/**
 * One page of `items`. Tokens are opaque to clients (base64 of an offset), as AWS's are; a token that
 * was not handed out by the sandbox is refused.
 */
export function paginate<T>(items: T[], token: string | null | undefined, pageSize: number, tokenName: string): Page<T> {
  let offset = 0
  if (token) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'))
    if (!decoded)
      throw invalidRequest(`The ${tokenName} '${token}' is not valid. Pass the ${tokenName} returned by the previous page, or none to start over.`)
    offset = Number(decoded[1])
  }
  const end = offset + pageSize
  return {
    items: items.slice(offset, end),
    next: end < items.length ? Buffer.from(`offset:${end}`, 'utf8').toString('base64') : undefined
  }
}

/** Epoch milliseconds to the wire's epoch seconds. */
export const epochSeconds = (ms: number): number => ms / 1000
