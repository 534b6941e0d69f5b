import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import { IotError, errorBody } from './iotError'
import type { RequestAuthorizer } from './requestAuthorizer'
import type { HttpMethod, Route, RoutedRequest, SandboxRequest } from './route'
import { Router } from './router'
import { Throttle } from './throttle'

// The Local IoT Core's HTTP front doors (the control plane, the data plane with SigV4, the device
// data plane with client certificates): node:http, or node:https asking for the client's
// certificate, on loopback; the server's RequestAuthorizer, routing, throttling, JSON in and out in
// the rest-json shape the AWS SDKs and the AWS CLI expect. Errors are written as AWS writes them:
// status code, `x-amzn-ErrorType: <Name>`, body `{"message": ...}` plus the error's extra members.

export interface SandboxHttpServerOptions {
  routes: Route[]
  host: string
  /** 0 picks a free port. */
  port: number
  /** Who may call: sigV4Authorizer for the sandbox's IAM identity, deviceAuthorizer for device certificates. */
  authorizer: RequestAuthorizer
  /**
   * Serve HTTPS with this identity and ask every client for its certificate. Any certificate, or none,
   * completes the handshake (a device's may be registered without a CA); the authorizer judges it.
   */
  tls?: {
    key: string
    certificateChain: string
    /** The CA named in the certificate request (clients send theirs whoever signed it). */
    clientCa: string
  }
  /** Refuse calls beyond AWS's default per-operation rates with ThrottlingException. */
  throttling: boolean
  /** Told of every failure that is not an AWS error (answered as InternalFailureException), e.g. to log its stack. */
  onInternalFailure?: (error: unknown) => void
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:41234` (`https://` with `tls`) */
  url: string
  port: number
  close(): Promise<void>
}

const MAX_BODY_BYTES = 1024 * 1024
const METHODS = new Set<HttpMethod>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])

export async function startSandboxHttpServer(options: SandboxHttpServerOptions): Promise<RunningServer> {
  const router = new Router(options.routes)
  const throttle = options.throttling ? new Throttle() : undefined

  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handle(req, options, router, throttle)
      .then(({ status, body }) => send(res, status, body))
      .catch((error: unknown) => {
        if (!(error instanceof IotError)) options.onInternalFailure?.(error)
        sendError(res, toIotError(error))
      })
  }
  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.certificateChain, ca: [options.tls.clientCa], requestCert: true, rejectUnauthorized: false }, listener)
    : http.createServer(listener)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    url: `${options.tls ? 'https' : 'http'}://${hostInUrl}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        // Idle keep-alive sockets of SDK clients would hold close() open.
        server.closeAllConnections()
      })
  }
}

async function handle(
  req: http.IncomingMessage,
  options: SandboxHttpServerOptions,
  router: Router,
  throttle: Throttle | undefined
): Promise<{ status: number; body: unknown }> {
  const rawBody = await readBody(req)
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid')
  const rawPath = (req.url ?? '/').split('?')[0]!
  const headers = lowerCaseHeaders(req.headers)
  const method = (req.method ?? 'GET').toUpperCase() as HttpMethod

  const principal = await options.authorizer.authenticate({ method, rawPath, query: url.searchParams, headers, body: rawBody, socket: req.socket })

  const found = METHODS.has(method) ? router.find(method, rawPath) : { notFound: true as const, allowedMethods: [] }
  if ('notFound' in found) {
    const hint = found.allowedMethods.length
      ? ` This path accepts ${found.allowedMethods.join(', ')}.`
      : ' Check the endpoint URL and the SDK version; the Local IoT Core implements the AWS IoT operations ThingBench uses.'
    throw new IotError('UnknownOperationException', 404, `No Local IoT Core operation matches ${method} ${rawPath}.${hint}`)
  }
  const routed: RoutedRequest = { method, params: found.params, query: url.searchParams, headers, rawBody }
  options.authorizer.authorize(principal, found.route, routed)
  throttle?.take(found.route.operation)

  const request: SandboxRequest = { ...routed, body: found.route.body === 'raw' ? undefined : parseJson(rawBody) }
  const response = await found.route.handler(request)
  return { status: response.status ?? 200, body: response.body }
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch (error) {
    throw new IotError(
      'SerializationException',
      400,
      `The request body is not valid JSON (${(error as Error).message}). Send a JSON object, e.g. {"target": "..."}.`
    )
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new IotError('InvalidRequestException', 400, `The request body is larger than ${MAX_BODY_BYTES} bytes.`))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function lowerCaseHeaders(raw: http.IncomingHttpHeaders): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(raw)) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value
  return headers
}

function toIotError(error: unknown): IotError {
  if (error instanceof IotError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new IotError('InternalFailureException', 500, `The Local IoT Core failed while handling the request: ${message}`)
}

function send(res: http.ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...extraHeaders
  })
  res.end(text)
}

function sendError(res: http.ServerResponse, error: IotError): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  send(res, error.status, errorBody(error), { 'x-amzn-ErrorType': error.errorName })
}
