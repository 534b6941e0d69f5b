import { createApiClient, type ApiClient, type Transport } from '@contract'
import { reportBackendLink } from './backendLink'
import { apiSocketUrl, createWebSocketTransport, type OpenSocket } from './webSocketTransport'

// The UI's one way to the back end: Electron's preload bridge (window.thingbench) when the page
// runs in the app's window, else the `thingbench serve` WebSocket (browser mode).

declare global {
  interface Window {
    /** Set by electron/preload in the app's window; absent in a browser. */
    thingbench?: Transport
  }
}

export function apiRuntime(): 'electron' | 'browser' {
  return typeof window !== 'undefined' && window.thingbench ? 'electron' : 'browser'
}

/** Opens a browser WebSocket and adapts it to the transport's handlers. */
const openBrowserSocket: OpenSocket = (url, handlers) => {
  const socket = new WebSocket(url)
  let opened = false
  socket.onopen = () => {
    opened = true
    reportBackendLink('open')
    handlers.open()
  }
  socket.onmessage = (event) => typeof event.data === 'string' && handlers.message(event.data)
  socket.onclose = (event) => {
    // The shell's banner says so (layout/BackendLostBanner.vue); calls fail with ConnectionLost.
    reportBackendLink(opened ? 'lost' : 'refused', event.reason || `WebSocket closed with code ${event.code}`)
    handlers.closed(event.code, event.reason)
  }
  return { send: (text) => socket.send(text), close: () => socket.close() }
}

/** Both transports carry plain data: Vue's reactive proxies cannot cross contextBridge, and JSON is what the socket sends. */
function withPlainArguments(transport: Transport): Transport {
  return {
    call: (method, args) => transport.call(method, args === undefined ? {} : JSON.parse(JSON.stringify(args))),
    subscribe: (event, listener) => transport.subscribe(event, listener)
  }
}

function chooseTransport(): Transport {
  if (apiRuntime() === 'electron') return window.thingbench!
  return createWebSocketTransport({ url: apiSocketUrl(window.location), openSocket: openBrowserSocket })
}

export const api: ApiClient = createApiClient(withPlainArguments(chooseTransport()))
