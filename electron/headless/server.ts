import { existsSync } from 'node:fs'
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { createApiBackend } from '../app/api'
import { loggedUnexpectedErrors } from '../app/api/errors'
import type { AppSession } from '../app/session'
import { createDispatcher } from '../contract'
import { createAccessToken } from './accessToken'
import { headlessContentSecurityPolicy } from './contentSecurityPolicy'
import { isOwnHost, refuseUpgrade } from './requestGuard'
import { maxMessageBytes, serveSocket } from './socketProtocol'
import { readStaticFile } from './staticFiles'

export interface HeadlessServerOptions {
  session: AppSession
  /** 0 or absent: a free port. */
  port?: number
  /** The built renderer (out/renderer). */
  rendererDir: string
  version: string
  /** Where refusals are reported (never the token); unexpected errors go to the session's log. */
  log?: (line: string) => void
}

export interface HeadlessServer {
  /** http://127.0.0.1:PORT/?token=TOKEN — the only way in. */
  url: string
  port: number
  token: string
  close(): Promise<void>
}

/** Thrown when there is no built renderer to serve. */
export class RendererMissingError extends Error {
  override name = 'RendererMissingError'
}

/**
 * Browser mode: serves the built renderer and the contract over a WebSocket at /api, on 127.0.0.1
 * only, to pages that carry the token and come from this server's own origin.
 */
export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const { session, rendererDir, version, log = () => {} } = options
  if (!existsSync(join(rendererDir, 'index.html')))
    throw new RendererMissingError(`The built UI is missing (no index.html in ${rendererDir}): run \`npm run build\` first`)

  const token = createAccessToken()
  const backend = createApiBackend({ session, runtime: 'browser', version })
  const dispatcher = createDispatcher(backend.handlers, loggedUnexpectedErrors(session.log))
  let port = 0
  const http = createServer((request, response) => void serveFile(request, response))
  // A generous transport cap: messages between maxMessageBytes and this are answered with an
  // error; beyond it ws closes that one socket (1009) and the server carries on.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 16 * maxMessageBytes })

  async function serveFile(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const headers = securityHeaders(port)
    if (!isOwnHost(request.headers.host, port)) return end(response, 403, headers, 'Forbidden: unknown Host')
    if (request.method !== 'GET' && request.method !== 'HEAD') return end(response, 405, { ...headers, Allow: 'GET, HEAD' }, 'Method not allowed')
    if (new URL(request.url ?? '/', 'http://127.0.0.1').pathname === '/api') return end(response, 426, { ...headers, Upgrade: 'websocket' }, 'The API is a WebSocket')
    const file = await readStaticFile(rendererDir, request.url ?? '/')
    if (file.status !== 200) return end(response, file.status, headers, file.body)
    response.writeHead(200, { ...headers, 'Content-Type': file.contentType, 'Content-Length': file.body.byteLength })
    response.end(request.method === 'HEAD' ? undefined : file.body)
  }

  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const refusal = refuseUpgrade(request, port, token)
    if (refusal) {
      log(`Refused a WebSocket connection: ${refusal.reason}`)
      return refuseSocket(socket, refusal.status, refusal.reason)
    }
    sockets.handleUpgrade(request, socket, head, (ws) => serveSocket(ws, dispatcher, backend.events, log))
  })
  http.on('clientError', (_error, socket) => socket.destroy())

  try {
    port = await listen(http, options.port ?? 0)
  } catch (error) {
    await backend.close()
    throw error
  }
  const url = `http://127.0.0.1:${port}/?token=${token}`

  let closing: Promise<void> | undefined
  return {
    url,
    port,
    token,
    close: () =>
      (closing ??= (async () => {
        // Say goodbye (pages show "lost the connection"), give clients a moment to answer, then cut.
        const clients = [...sockets.clients]
        const closed = Promise.all(clients.map((client) => new Promise((resolve) => client.once('close', resolve))))
        for (const client of clients) client.close(1001, 'ThingBench is shutting down')
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1000).unref())])
        for (const client of clients) client.terminate()
        sockets.close()
        await new Promise<void>((resolve) => {
          http.close(() => resolve())
          http.closeAllConnections()
        })
        await backend.close()
      })())
  }
}

function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': headlessContentSecurityPolicy(port),
    // The token is in the page's URL: never let it leave in a Referer header.
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-cache'
  }
}

function end(response: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  response.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
  response.end(body + '\n')
}

function refuseSocket(socket: Duplex, status: number, reason: string): void {
  const body = `${STATUS_CODES[status]}: ${reason}\n`
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy()
  )
}

function listen(http: ReturnType<typeof createServer>, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} is already in use on 127.0.0.1: choose another with --port, or --port 0 for any free one`) : error)
    http.once('error', onError)
    http.listen(port, '127.0.0.1', () => {
      http.off('error', onError)
      const address = http.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
}
