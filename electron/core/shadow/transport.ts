import type { JsonObject, ShadowDeleted, ShadowDocument, ShadowKey, ShadowUpdateAccepted, ShadowUpdateRequest } from './document'
import type { ShadowVia } from './errors'

// One wire under the shadow client: MQTT (request/response topics correlated by clientToken) or
// the HTTP data plane. Each call resolves with AWS's answer or rejects with a ShadowError.

export interface NamedShadowPage {
  names: string[]
  /** Pass back to get the next page; absent on the last page. */
  nextToken?: string
}

export interface ShadowTransport {
  readonly via: ShadowVia
  get(key: ShadowKey): Promise<ShadowDocument>
  /** `request` is sent as the update document, with `clientToken` in it. */
  update(key: ShadowKey, request: ShadowUpdateRequest & { clientToken: string }): Promise<ShadowUpdateAccepted>
  delete(key: ShadowKey): Promise<ShadowDeleted>
  listNamedShadows(thingName: string, page: { nextToken?: string; pageSize?: number }): Promise<NamedShadowPage>
  /** Releases what the transport holds (MQTT subscriptions); the connection or HTTP client stays the caller's. */
  close(): Promise<void>
}

/** A JSON body the service sent, as an object; anything else is not an answer this client understands. */
export function parseAnswer(payload: Uint8Array | string): JsonObject | undefined {
  try {
    const parsed: unknown = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'))
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JsonObject) : undefined
  } catch {
    return undefined
  }
}
