import WebSocket from 'ws'
import { createApiClient, type ApiClient } from '../../../../electron/contract'
import type { HeadlessServer } from '../../../../electron/headless'
import { apiSocketUrl, createWebSocketTransport } from '../../../../renderer/src/api/webSocketTransport'
import { ownOrigin } from './headless'

/** The contract client a page of the browser mode has: the renderer's own transport, with `ws` for the browser's WebSocket. */
export function apiClientFor(server: HeadlessServer): ApiClient {
  const url = apiSocketUrl({ protocol: 'http:', host: `127.0.0.1:${server.port}`, search: `?token=${server.token}` })
  return createApiClient(
    createWebSocketTransport({
      url,
      openSocket: (target, handlers) => {
        const socket = new WebSocket(target, { origin: ownOrigin(server) })
        socket.on('open', () => handlers.open())
        socket.on('message', (data, isBinary) => !isBinary && handlers.message(String(data)))
        socket.on('close', (code, reason) => handlers.closed(code, String(reason)))
        socket.on('error', () => {}) // followed by 'close'
        return { send: (text) => socket.send(text), close: () => socket.close() }
      }
    })
  )
}
