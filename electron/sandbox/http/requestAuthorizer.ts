import type { Socket } from 'node:net'
import type { HttpMethod, Route, RoutedRequest } from './route'
import { verifySigV4, type SandboxCredentials } from './sigv4'

// How a Local IoT Core HTTP server decides who may call it, one strategy per server: SigV4 with the
// sandbox's IAM credentials (the control plane and the data plane, where that identity may do
// everything), or the device's X.509 certificate judged by its IoT policies (the device data plane,
// dataplane/deviceAuthorizer.ts). The server asks `authenticate` before routing, as AWS checks the
// caller before it looks up the operation, and `authorize` once the route is known.

/** Who made a request. */
export type Principal =
  | { kind: 'iam'; accessKeyId: string }
  /** `sourceIp` is the client's address, for policies' `aws:SourceIp` conditions. */
  | { kind: 'certificate'; certificateId: string; sourceIp?: string }

/** The request as it came off the wire, before routing. */
export interface WireRequest {
  method: HttpMethod
  /** The path as sent, still percent-encoded (SigV4 signs it that way). */
  rawPath: string
  query: URLSearchParams
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>
  body: Buffer
  /** The connection it came on: a TLSSocket on the device data plane, with the client's certificate. */
  socket: Socket
}

export interface RequestAuthorizer {
  /** Who sent the request; throws AWS's refusal (an IotError) when nobody acceptable did. */
  authenticate(request: WireRequest): Promise<Principal>
  /** Throws AWS's refusal when `principal` may not call `route` with `request`. */
  authorize(principal: Principal, route: Route, request: RoutedRequest): void
}

/** SigV4 with the sandbox's credentials for one of `services`: that IAM identity may call every route. */
export function sigV4Authorizer(options: { credentials: SandboxCredentials; region: string; services: readonly string[] }): RequestAuthorizer {
  return {
    async authenticate(request) {
      await verifySigV4(request, { credentials: options.credentials, region: options.region, services: options.services, now: Date.now() })
      return { kind: 'iam', accessKeyId: options.credentials.accessKeyId }
    },
    authorize() {}
  }
}
