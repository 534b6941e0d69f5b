import { shadowErrors, type ShadowError } from './errors'
import { isJsonObject, ownMember, type JsonObject, type JsonValue } from './json'
import type { ShadowLimits } from './limits'

// Reading a shadow request the way AWS does (research/iot-core.md §1.3, §1.7). The checks run in a
// fixed order (AWS's order is UNCONFIRMED; this one follows Greengrass ShadowManager, AWS's own
// local implementation): encoding, JSON, clientToken, version, state, the state's nodes, nulls in
// arrays, depth. The clientToken is read early so that later refusals can echo it.

export type Section = 'desired' | 'reported'
export const SECTIONS: readonly Section[] = ['desired', 'reported']

/** A section's patch: an object to merge, or null to remove the whole section. */
export type SectionPatch = JsonObject | null
export type StatePatch = Partial<Record<Section, SectionPatch>>

export interface UpdateRequest {
  /** null = `{"state": null}`: clear desired and reported, keep the shadow. */
  state: StatePatch | null
  version?: number
  clientToken?: string
}

/** A refusal of a request whose clientToken was already read (so it can be echoed). */
export class RequestRefusal {
  constructor(
    readonly error: ShadowError,
    readonly clientToken: string | undefined
  ) {}
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Decodes and parses a request body; an empty body is `{}` when `allowEmpty` (get and delete). */
function parseBody(payload: Uint8Array | string | undefined, allowEmpty: boolean): JsonObject {
  let text: string
  if (typeof payload === 'string') text = payload
  else {
    try {
      text = payload === undefined ? '' : utf8.decode(payload)
    } catch {
      throw new RequestRefusal(shadowErrors.notUtf8(), undefined)
    }
  }
  if (allowEmpty && text.trim() === '') return {}
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new RequestRefusal(shadowErrors.invalidJson(), undefined)
  }
  if (!isJsonObject(body)) throw new RequestRefusal(shadowErrors.invalidJson(), undefined)
  return body
}

function readClientToken(body: JsonObject, limits: ShadowLimits): string | undefined {
  if (!Object.hasOwn(body, 'clientToken')) return undefined
  const token = body.clientToken
  if (typeof token !== 'string' || Buffer.byteLength(token, 'utf8') > limits.maxClientTokenBytes)
    throw new RequestRefusal(shadowErrors.invalidClientToken(), undefined)
  return token
}

/** Get and delete: the body is empty or `{"clientToken": "…"}`; anything else in it is ignored. */
export function parseRequestOptions(payload: Uint8Array | string | undefined, limits: ShadowLimits): { clientToken?: string } {
  const clientToken = readClientToken(parseBody(payload, true), limits)
  return clientToken === undefined ? {} : { clientToken }
}

/** Update: throws RequestRefusal with AWS's answer when the request is not one AWS accepts. */
export function parseUpdateRequest(payload: Uint8Array | string, limits: ShadowLimits): UpdateRequest {
  const body = parseBody(payload, false)
  const clientToken = readClientToken(body, limits)
  const refuse = (error: ShadowError): never => {
    throw new RequestRefusal(error, clientToken)
  }

  let version: number | undefined
  if (Object.hasOwn(body, 'version')) {
    const value = body.version
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) refuse(shadowErrors.invalidVersion())
    version = value as number
  }

  // Unknown top-level members are ignored: SDK v1 sends thingName and the like in the body.
  if (!Object.hasOwn(body, 'state')) refuse(shadowErrors.missingState())
  const state = body.state
  const request: UpdateRequest = { state: null }
  if (version !== undefined) request.version = version
  if (clientToken !== undefined) request.clientToken = clientToken
  if (state === null) return request
  if (!isJsonObject(state)) return refuse(shadowErrors.stateNotObject())

  const patch: StatePatch = {}
  for (const key of Object.keys(state)) {
    const value = state[key]
    // `delta` is computed by the service; sending it is refused like any other unknown node.
    if (key === 'desired') {
      if (value !== null && !isJsonObject(value)) refuse(shadowErrors.desiredNotObject())
      patch.desired = value as SectionPatch
    } else if (key === 'reported') {
      if (value !== null && !isJsonObject(value)) refuse(shadowErrors.reportedNotObject())
      patch.reported = value as SectionPatch
    } else refuse(shadowErrors.invalidStateNode(key))
  }
  for (const section of SECTIONS) {
    const value = ownMember(patch as JsonObject, section)
    if (value === undefined || value === null) continue
    // AWS documents that arrays may not hold null; its message for it is UNCONFIRMED.
    if (hasNullInArray(value)) refuse(shadowErrors.invalidJson())
    if (depthOf(value) > limits.maxDepth) refuse(shadowErrors.tooDeep(limits.maxDepth))
  }
  request.state = patch
  return request
}

/** Nesting levels of a value: an object or array is one level plus its deepest child; a scalar is none. */
function depthOf(value: JsonValue): number {
  if (typeof value !== 'object' || value === null) return 0
  let deepest = 0
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child))
  return 1 + deepest
}

function hasNullInArray(value: JsonValue): boolean {
  if (Array.isArray(value)) return value.some((item) => item === null || hasNullInArray(item))
  if (isJsonObject(value)) return Object.values(value).some(hasNullInArray)
  return false
}
