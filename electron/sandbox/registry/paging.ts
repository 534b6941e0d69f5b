import { invalidRequest } from '../http/iotError'
import { queryInteger } from '../http/input'
import type { SandboxRequest } from '../http/route'

// Registry list paging. Items are returned sorted by name and the nextToken carries the last name
// handed out, so a page boundary stays put when records are added or removed between calls.

/** AWS's registry lists accept maxResults 1–250; 50 is what a call without it gets. */
export const MAX_PAGE_SIZE = 250
export const DEFAULT_PAGE_SIZE = 50

export interface Page<T> {
  items: T[]
  nextToken?: string
}

export interface PageRequest {
  afterName?: string
  maxResults: number
}

/** Reads and checks `nextToken` and `maxResults` from the query; call before doing anything else. */
export function pageRequestOf(req: SandboxRequest): PageRequest {
  const maxResults = queryInteger(req, 'maxResults', 1, MAX_PAGE_SIZE)
  const token = req.query.get('nextToken')
  return { afterName: token === null ? undefined : decodeToken(token), maxResults: maxResults ?? DEFAULT_PAGE_SIZE }
}

export function paginate<T>(items: T[], nameOf: (item: T) => string, request: PageRequest): Page<T> {
  const sorted = [...items].sort((a, b) => compare(nameOf(a), nameOf(b)))
  const after = request.afterName
  const remaining = after === undefined ? sorted : sorted.filter((item) => compare(nameOf(item), after) > 0)
  const pageItems = remaining.slice(0, request.maxResults)
  const last = pageItems[pageItems.length - 1]
  const more = remaining.length > pageItems.length && last !== undefined
  return { items: pageItems, nextToken: more ? encodeToken(nameOf(last)) : undefined }
}

// Code-unit order, not locale order: the same on every machine.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

const TOKEN_PREFIX = 'tb1:'

function encodeToken(lastName: string): string {
  return Buffer.from(TOKEN_PREFIX + lastName, 'utf8').toString('base64url')
}

function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8')
  if (!text.startsWith(TOKEN_PREFIX) || text.length === TOKEN_PREFIX.length)
    throw invalidRequest(
      `The nextToken '${token}' is not valid. Pass the nextToken of the previous response unchanged, or leave it out to start from the first page.`
    )
  return text.slice(TOKEN_PREFIX.length)
}
