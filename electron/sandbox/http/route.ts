// The shape every Local IoT Core HTTP operation is written in (the control plane's and the data
// plane's). The server (server.ts) asks its RequestAuthorizer who is calling, finds the route, lets
// the authorizer judge the call, applies throttling, reads the body as the route asks, and
// serialises what the handler returns in the rest-json wire format the AWS SDKs expect.

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

/** A request once routed, before its body is read: what authorization may look at. */
export type RoutedRequest = Omit<SandboxRequest, 'body'>

export interface SandboxResponse {
  status?: number
  body?: unknown
}

/** One IoT policy permission a call needs (research/iot-core.md §3.2). */
export interface IotPermission {
  /** e.g. `iot:GetThingShadow`. */
  action: string
  /** The resource without the `arn:aws:iot:<region>:<account>:` prefix, e.g. `thing/lamp-1`, or `*` for actions without one. */
  resource: string
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
  /**
   * The IoT policy permissions a device needs for this call when it makes it with its certificate
   * (the device data plane), all of them; a route without it is closed to devices.
   */
  iotPermissions?: (req: RoutedRequest) => IotPermission[]
  handler: (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>
}
