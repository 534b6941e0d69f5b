// The shape every Local IoT Core HTTP operation is written in (the control plane's and the data
// plane's). The server (server.ts) checks SigV4 and throttling, finds the route, reads the body as
// the route asks, and serialises what the handler returns in the rest-json wire format the AWS SDKs
// expect.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface SandboxRequest {
  method: HttpMethod
  /** Decoded path parameters, keyed by the `{name}` placeholders of the route's pattern. */
  params: Record<string, string>
  query: URLSearchParams
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>
  /** Parsed JSON body, `undefined` when the body was empty or the route reads it raw. */
  body: unknown
  /** The body's bytes as they arrived. */
  rawBody: Buffer
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
  /**
   * How the body is read: 'json' (the default) parses it and refuses what is not JSON with
   * SerializationException; 'raw' leaves it to the handler (UpdateThingShadow's payload is a blob).
   */
  body?: 'json' | 'raw'
  handler: (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>
}
