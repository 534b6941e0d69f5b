import { invalidRequest } from './iotError'
import { queryInteger } from './input'
import type { SandboxRequest } from './route'

// List paging for every list operation. Items are ordered by a sort key unique within the list, and
// the token carries the last key handed out, so a page boundary stays put when records are added or
// removed between calls. Tokens are opaque to clients, as AWS's are; one not handed out is refused.

/** AWS's control-plane lists accept a page size of 1–250. */
export const MAX_PAGE_SIZE = 250

/** The query parameters a list pages with, and the page size a call without one gets. */
export interface PagingParameters {
  token: 'nextToken' | 'marker'
  size: 'maxResults' | 'pageSize'
  defaultSize: number
  /** The largest page size accepted; MAX_PAGE_SIZE when absent. */
  maxSize?: number
}

/** The registry's lists (things, thing types, groups): nextToken and maxResults, 50 by default. */
export const REGISTRY_PAGING: PagingParameters = { token: 'nextToken', size: 'maxResults', defaultSize: 50 }
/** The older lists (certificates, policies, their attachments): marker and pageSize, 25 by default. */
export const MARKER_PAGING: PagingParameters = { token: 'marker', size: 'pageSize', defaultSize: 25 }
/** Principal and thing attachments: nextToken and maxResults, 25 by default. */
export const ATTACHMENT_PAGING: PagingParameters = { token: 'nextToken', size: 'maxResults', defaultSize: 25 }

export interface PageRequest {
  afterKey?: string
  size: number
}

export interface Page<T> {
  items: T[]
  /** Token for the next page, absent on the last one. */
  next?: string
}

/** Reads and checks the token and page size from the query; call before doing anything else. */
export function pageRequestOf(req: SandboxRequest, parameters: PagingParameters): PageRequest {
  const size = queryInteger(req, parameters.size, 1, parameters.maxSize ?? MAX_PAGE_SIZE) ?? parameters.defaultSize
  const token = req.query.get(parameters.token)
  return { afterKey: token === null ? undefined : decodeToken(token, parameters.token), size }
}

/** One page of `items` in the order of `sortKeyOf` (code-unit order, the same on every machine). */
export function paginate<T>(items: T[], sortKeyOf: (item: T) => string, request: PageRequest, order: 'ascending' | 'descending' = 'ascending'): Page<T> {
  const direction = order === 'ascending' ? 1 : -1
  const keyed = items.map((item) => ({ item, key: sortKeyOf(item) })).sort((a, b) => direction * compare(a.key, b.key))
  const after = request.afterKey
  const remaining = after === undefined ? keyed : keyed.filter(({ key }) => direction * compare(key, after) > 0)
  const page = remaining.slice(0, request.size)
  const last = page.at(-1)
  const more = remaining.length > page.length && last !== undefined
  return { items: page.map(({ item }) => item), next: more ? encodeToken(last.key) : undefined }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

const TOKEN_PREFIX = 'tb1:'

function encodeToken(lastKey: string): string {
  return Buffer.from(TOKEN_PREFIX + lastKey, 'utf8').toString('base64url')
}

function decodeToken(token: string, tokenName: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8')
  if (!text.startsWith(TOKEN_PREFIX) || text.length === TOKEN_PREFIX.length)
    throw invalidRequest(
      `The ${tokenName} '${token}' is not valid. Pass the ${tokenName} of the previous response unchanged, or leave it out to start from the first page.`
    )
  return text.slice(TOKEN_PREFIX.length)
}
