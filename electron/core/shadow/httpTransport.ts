import {
  DeleteThingShadowCommand,
  GetThingShadowCommand,
  ListNamedShadowsForThingCommand,
  UpdateThingShadowCommand,
  type IoTDataPlaneClient
} from '@aws-sdk/client-iot-data-plane'
import { describeAwsError } from '../aws'
import type { JsonObject, ShadowDeleted, ShadowDocument, ShadowKey, ShadowUpdateAccepted, ShadowUpdateRequest } from './document'
import { ShadowError } from './errors'
import { parseAnswer, type NamedShadowPage, type ShadowTransport } from './transport'

// The shadow service over the HTTP data plane (GetThingShadow, UpdateThingShadow, DeleteThingShadow,
// ListNamedShadowsForThing) with @aws-sdk/client-iot-data-plane; the caller builds the client with
// the endpoint (DescribeEndpoint iot:Data-ATS, or the Local IoT Core's dataPlaneUrl) and credentials.

export class HttpShadowTransport implements ShadowTransport {
  readonly via = 'http' as const

  constructor(private readonly client: IoTDataPlaneClient) {}

  async get(key: ShadowKey): Promise<ShadowDocument> {
    const answer = await this.call(() => this.client.send(new GetThingShadowCommand(key)))
    return this.body(answer.payload, 'GetThingShadow') as unknown as ShadowDocument
  }

  async update(key: ShadowKey, request: ShadowUpdateRequest & { clientToken: string }): Promise<ShadowUpdateAccepted> {
    const payload = new TextEncoder().encode(JSON.stringify(request))
    const answer = await this.call(() => this.client.send(new UpdateThingShadowCommand({ ...key, payload })))
    return this.body(answer.payload, 'UpdateThingShadow') as unknown as ShadowUpdateAccepted
  }

  async delete(key: ShadowKey): Promise<ShadowDeleted> {
    const answer = await this.call(() => this.client.send(new DeleteThingShadowCommand(key)))
    return this.body(answer.payload, 'DeleteThingShadow') as unknown as ShadowDeleted
  }

  async listNamedShadows(thingName: string, page: { nextToken?: string; pageSize?: number }): Promise<NamedShadowPage> {
    const answer = await this.call(() => this.client.send(new ListNamedShadowsForThingCommand({ thingName, ...page })))
    return { names: answer.results ?? [], ...(answer.nextToken ? { nextToken: answer.nextToken } : {}) }
  }

  async close(): Promise<void> {}

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send()
    } catch (error) {
      const described = describeAwsError(error)
      throw new ShadowError(described.errorName, described.message, 'http', described.httpStatus, { cause: error })
    }
  }

  private body(payload: Uint8Array | undefined, operation: string): JsonObject {
    const body = payload === undefined ? undefined : parseAnswer(payload)
    if (body === undefined) throw new ShadowError('InvalidResponse', `${operation} answered with a body that is not a JSON object.`, 'http')
    return body
  }
}
