// The shape every control-plane operation is written in. The server (server.ts) parses the
// request, checks SigV4 and throttling, finds the route, and serialises what the handler returns
// in the rest-json wire format @aws-sdk/client-iot expects.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface SandboxRequest {
  method: HttpMethod
  /** Decoded path parameters, keyed by the `{name}` placeholders of the route's pattern. */
  params: Record<string, string>
  query: URLSearchParams
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>
  /** Parsed JSON body, `undefined` when the body was empty. */
  body: unknown
}

export interface SandboxResponse {
  status?: number
  body?: unknown
}

export interface Route {
  /** AWS operation name, e.g. `CreateThing`; also the throttling key. */
  operation: string
  method: HttpMethod
  /** Path pattern with `{param}` placeholders, e.g. `/things/{thingName}`; a `{param+}` matches across slashes. */
  pattern: string
  handler: (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>
}
