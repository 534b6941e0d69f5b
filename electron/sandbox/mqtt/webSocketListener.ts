import { STATUS_CODES, type IncomingMessage } from 'node:http'
import https from 'node:https'
import type { Duplex } from 'node:stream'
import { createWebSocketStream, WebSocketServer } from 'ws'
import { IotError, errorBody } from '../http/iotError'
import { ACCEPTED_SIGNING_NAMES, verifyPresignedSigV4, type SandboxCredentials } from '../http/sigv4'
import type { Log } from '../../shared/log'
import { listenOnLoopback, type LoopbackListeners } from './loopbackListeners'
import type { OperatorUpgrades } from './operatorUpgrades'
import type { GatewayTlsIdentity } from './serverIdentity'

// MQTT over WebSocket with SigV4, the way an operator with IAM credentials connects to AWS IoT
// (research/mqtt-shadow.md §1.4, §2.5, §3.5): `wss://localhost:<port>/mqtt?X-Amz-…` (the device SDK
// always uses TLS), subprotocol `mqtt`, the signature (service iotdevicegateway) checked on the
// upgrade request before the WebSocket handshake. A refusal is HTTP 403 with AWS's error name, as AWS
// answers it; the SDK then fails the connect with AWS_ERROR_HTTP_WEBSOCKET_UPGRADE_FAILURE.

export const WEBSOCKET_PATH = '/mqtt'

/** Room for one MQTT packet of AWS's largest payload (128 KB) with its topic, or several small ones in a frame. */
const MAX_FRAME_BYTES = 1024 * 1024

export interface WebSocketListenerOptions {
  tls: GatewayTlsIdentity
  /** 0: any free port. */
  port: number
  credentials: SandboxCredentials
  region: string
  operators: OperatorUpgrades
  /** Hands an accepted connection's MQTT byte stream to the broker. */
  handle(stream: Duplex, req: IncomingMessage): void
  log: Log
}

const noop = (): void => {}

export async function startWebSocketListener(options: WebSocketListenerOptions): Promise<LoopbackListeners> {
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false)
  })

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', noop)
    verifyUpgrade(req, options).then(
      (principal) => {
        options.operators.verifiedUpgrade(req, principal)
        sockets.handleUpgrade(req, socket, head, (ws) => {
          const stream = createWebSocketStream(ws)
          stream.on('error', noop)
          options.handle(stream, req)
        })
      },
      (error: unknown) => {
        const refusal = error instanceof IotError ? error : new IotError('InternalFailureException', 500, 'The Local IoT Core failed while checking the WebSocket upgrade.')
        if (!(error instanceof IotError)) options.log.error({ err: error }, 'The WebSocket upgrade check failed')
        options.log.info({ path: req.url?.split('?')[0], error: refusal.errorName }, `MQTT over WebSocket refused: ${refusal.message}`)
        refuseUpgrade(socket, refusal)
      }
    )
  }

  const listeners = await listenOnLoopback(() => {
    const server = https.createServer({ key: options.tls.key, cert: options.tls.certificateChain }, (_req, res) => {
      const text = JSON.stringify({ message: `This port serves MQTT over WebSocket only: connect to wss://localhost:<port>${WEBSOCKET_PATH} with a SigV4-presigned URL.` })
      res.writeHead(426, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), upgrade: 'websocket', connection: 'Upgrade' })
      res.end(text)
    })
    server.on('upgrade', upgrade)
    // Garbage, plain TCP and failed handshakes end here; the socket is already destroyed.
    server.on('tlsClientError', noop)
    return server
  }, options.port)

  return {
    port: listeners.port,
    async close() {
      // Upgraded sockets are no longer the HTTP server's: end them, or close() would wait for them.
      for (const ws of sockets.clients) ws.terminate()
      await listeners.close()
      sockets.close()
    }
  }
}

async function verifyUpgrade(req: IncomingMessage, options: WebSocketListenerOptions): Promise<{ accessKeyId: string }> {
  const target = req.url ?? '/'
  const rawPath = target.split('?')[0]!
  if (rawPath !== WEBSOCKET_PATH)
    throw new IotError('ResourceNotFoundException', 404, `MQTT over WebSocket is served at ${WEBSOCKET_PATH}, not ${rawPath}.`)
  const headers: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value
  const query = new URL(target, 'https://sandbox.invalid').searchParams
  await verifyPresignedSigV4(
    { method: req.method ?? 'GET', rawPath, query, headers },
    { credentials: options.credentials, region: options.region, services: ACCEPTED_SIGNING_NAMES.webSocket, now: Date.now() }
  )
  return { accessKeyId: options.credentials.accessKeyId }
}

/** Answers the upgrade request with AWS's HTTP error and closes the socket. */
function refuseUpgrade(socket: Duplex, error: IotError): void {
  const body = JSON.stringify(errorBody(error))
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `x-amzn-ErrorType: ${error.errorName}\r\n` +
      'Connection: close\r\n\r\n' +
      body
  )
}
