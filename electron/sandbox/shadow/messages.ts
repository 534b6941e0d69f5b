import type { JsonObject, JsonValue } from './json'
import type { ShadowMetadata, ShadowRecord, ShadowState } from './record'
import type { StatePatch } from './request'

// The bodies the shadow service sends (research/iot-core.md §1.7), members in AWS's order.
// `timestamp` is epoch seconds at the time of the response.

interface Common {
  version: number
  timestamp: number
  clientToken?: string
}

function withClientToken(body: JsonObject, clientToken: string | undefined): JsonObject {
  if (clientToken !== undefined) body.clientToken = clientToken
  return body
}

function sectionsOf(sections: ShadowState | ShadowMetadata): JsonObject {
  const result: JsonObject = {}
  if (sections.desired !== undefined) result.desired = sections.desired
  if (sections.reported !== undefined) result.reported = sections.reported
  return result
}

/** `update/accepted` and UpdateThingShadow's body: the request's state echoed as sent (nulls included), its metadata. */
export function updateAcceptedBody(
  requestState: StatePatch | null,
  requestMetadata: JsonValue,
  { version, timestamp, clientToken }: Common
): JsonObject {
  return withClientToken({ state: (requestState ?? null) as JsonValue, metadata: requestMetadata, version, timestamp }, clientToken)
}

/** `get/accepted` and GetThingShadow's body: the whole document, with the delta when there is one. */
export function getAcceptedBody(record: ShadowRecord, delta: JsonObject | undefined, { timestamp, clientToken }: Omit<Common, 'version'>): JsonObject {
  const state = sectionsOf(record.state)
  if (delta !== undefined) state.delta = delta
  return withClientToken({ state, metadata: sectionsOf(record.metadata), version: record.version, timestamp }, clientToken)
}

/** `delete/accepted` and DeleteThingShadow's body. */
export function deleteAcceptedBody({ version, timestamp, clientToken }: Common): JsonObject {
  return withClientToken({ version, timestamp }, clientToken)
}

/** `update/delta`: the delta itself and its metadata, without a desired/reported wrapper. */
export function deltaBody(delta: JsonObject, metadata: JsonObject, { version, timestamp, clientToken }: Common): JsonObject {
  return withClientToken({ state: delta, metadata, version, timestamp }, clientToken)
}

/** One side of `update/documents`: state (desired/reported, no delta), metadata and version. */
function documentSnapshot(record: ShadowRecord): JsonObject {
  return { state: sectionsOf(record.state), metadata: sectionsOf(record.metadata), version: record.version }
}

/** `update/documents`: `previous` is null when the update created the shadow. */
export function documentsBody(
  previous: ShadowRecord | undefined,
  current: ShadowRecord,
  { timestamp, clientToken }: Omit<Common, 'version'>
): JsonObject {
  return withClientToken(
    { previous: previous === undefined ? null : documentSnapshot(previous), current: documentSnapshot(current), timestamp },
    clientToken
  )
}
