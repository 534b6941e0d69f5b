import { randomUUID } from 'node:crypto'
import type { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import type { MqttConnection } from '../mqtt/connection'
import { describeShadow, isJsonObject, type ShadowDeleted, type ShadowDocument, type ShadowKey, type ShadowUpdateAccepted, type ShadowUpdateRequest } from './document'
import { ShadowConflictError, ShadowError, type ShadowVia } from './errors'
import { HttpShadowTransport } from './httpTransport'
import { MqttShadowTransport } from './mqttTransport'
import { checkShadowKey } from './names'
import type { NamedShadowPage, ShadowTransport } from './transport'

// The shadow client the app, the CLI and the simulated device use: classic and named shadows, over
// MQTT or HTTP, with the same documents and AWS's errors either way. A version conflict comes back
// with both sides (what was attempted, and the shadow as it is now) so the caller can merge.

export interface UpdateOptions {
  /** Sent as the request's clientToken (a fresh UUID otherwise); update/delta and update/documents echo it. */
  clientToken?: string
}

export class ShadowClient {
  constructor(private readonly transport: ShadowTransport) {}

  /** Over MQTT: request/response topics on `connection`, each answer matched on its clientToken. */
  static overMqtt(connection: MqttConnection, options: { timeoutMs?: number } = {}): ShadowClient {
    return new ShadowClient(new MqttShadowTransport(connection, options.timeoutMs))
  }

  /** Over the HTTP data plane, with a client aimed at the data endpoint and signed by the caller's credentials. */
  static overHttp(client: IoTDataPlaneClient): ShadowClient {
    return new ShadowClient(new HttpShadowTransport(client))
  }

  get via(): ShadowVia {
    return this.transport.via
  }

  /** The shadow with its delta; ResourceNotFoundException when it does not exist. */
  async get(key: ShadowKey): Promise<ShadowDocument> {
    checkShadowKey(key, this.via)
    return this.transport.get(key)
  }

  /**
   * Merges `request.state` into the shadow. `request` may be the request document as JSON text (what
   * a user typed): text that does not parse is refused here with AWS's InvalidRequestException and
   * nothing is sent. With `request.version` set, a shadow at another version refuses with a
   * ShadowConflictError carrying both sides.
   */
  async update(key: ShadowKey, request: ShadowUpdateRequest | string, options: UpdateOptions = {}): Promise<ShadowUpdateAccepted> {
    checkShadowKey(key, this.via)
    const parsed = typeof request === 'string' ? this.parseRequest(request) : request
    const tokenInRequest = (parsed as { clientToken?: unknown }).clientToken
    const clientToken = options.clientToken ?? (typeof tokenInRequest === 'string' ? tokenInRequest : randomUUID())
    try {
      return await this.transport.update(key, { ...parsed, clientToken })
    } catch (error) {
      if (error instanceof ShadowError && error.code === 409) throw await this.conflict(key, parsed, error)
      throw error
    }
  }

  /** Deletes the shadow; its version is kept, so a re-created shadow continues after it. */
  async delete(key: ShadowKey): Promise<ShadowDeleted> {
    checkShadowKey(key, this.via)
    return this.transport.delete(key)
  }

  /** One page of the thing's named shadows (the classic shadow is never listed). HTTP only, as on AWS. */
  async listNamedShadows(thingName: string, page: { nextToken?: string; pageSize?: number } = {}): Promise<NamedShadowPage> {
    checkShadowKey({ thingName }, this.via)
    return this.transport.listNamedShadows(thingName, page)
  }

  /** Releases the client's subscriptions; the connection or HTTP client stays open for its owner. */
  close(): Promise<void> {
    return this.transport.close()
  }

  private parseRequest(text: string): ShadowUpdateRequest {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      throw new ShadowError('InvalidRequestException', `Invalid JSON: ${(error as Error).message}. Nothing was sent: fix the update document and try again.`, this.via)
    }
    if (!isJsonObject(parsed))
      throw new ShadowError('InvalidRequestException', 'Missing required node: state. The update document must be a JSON object such as {"state": {"desired": {"on": true}}}; nothing was sent.', this.via)
    return parsed as unknown as ShadowUpdateRequest
  }

  private async conflict(key: ShadowKey, attempted: ShadowUpdateRequest, refusal: ShadowError): Promise<ShadowConflictError> {
    let current: ShadowDocument | null = null
    let unknown = ''
    try {
      current = await this.transport.get(key)
    } catch (error) {
      if (!(error instanceof ShadowError && error.code === 404)) unknown = ` (the current document could not be read: ${(error as Error).message})`
    }
    const now = current === null ? (unknown ? 'at an unknown version' : 'deleted') : `at version ${current.version}`
    const message = `${refusal.message}: the update named version ${String(attempted.version)}, but ${describeShadow(key)} is ${now}${unknown}. Nothing was changed; merge your change into the current document and send it again with its version.`
    return new ShadowConflictError(message, this.via, attempted, current)
  }
}
