import type { IncomingMessage } from 'node:http'
import { tokensMatch } from './accessToken'

// Who may talk to the headless server. It listens on loopback only, but any web page the user
// opens can reach loopback: a foreign Origin (cross-site WebSocket) or a foreign Host (DNS
// rebinding) is refused, and the WebSocket needs the token from the printed URL.

export type Refusal = { status: 401 | 403 | 404; reason: string }

/** The names this server answers to: 127.0.0.1:PORT and localhost:PORT. */
export function isOwnHost(host: string | undefined, port: number): boolean {
  if (!host) return false
  const lower = host.toLowerCase()
  return lower === `127.0.0.1:${port}` || lower === `localhost:${port}`
}

/** A page this server served: http://127.0.0.1:PORT or http://localhost:PORT, nothing else. */
export function isOwnOrigin(origin: string | undefined, port: number): boolean {
  if (!origin) return false
  const lower = origin.toLowerCase()
  return lower === `http://127.0.0.1:${port}` || lower === `http://localhost:${port}`
}

/** Checks a WebSocket upgrade request; null means accepted. */
export function refuseUpgrade(request: IncomingMessage, port: number, token: string): Refusal | null {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1')
  if (url.pathname !== '/api') return { status: 404, reason: `no WebSocket at ${url.pathname}` }
  if (!isOwnHost(request.headers.host, port)) return { status: 403, reason: `foreign Host header ${JSON.stringify(request.headers.host ?? '')}` }
  const origin = request.headers.origin
  if (!isOwnOrigin(origin, port)) return { status: 403, reason: origin ? `foreign Origin ${JSON.stringify(origin)}` : 'no Origin header' }
  const offered = url.searchParams.get('token')
  if (!offered) return { status: 401, reason: 'no token' }
  if (!tokensMatch(offered, token)) return { status: 401, reason: 'wrong token' }
  return null
}
