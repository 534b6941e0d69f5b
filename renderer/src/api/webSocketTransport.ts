import { ApiError, type Transport, type WireAnswer } from '@contract'

// The contract over the headless server's WebSocket (browser mode). Client -> server:
// `{ id, method, args }`; server -> client: `{ id, answer }` and `{ event, payload }`
// (electron/headless/socketProtocol.ts is the other end). No DOM types here, so the transport
// can be tested in Node against the real server: the socket itself is opened by `openSocket`.

/** The server reads messages up to this size; larger calls are refused here without sending. */
export const maxMessageBytes = 1_000_000

export interface SocketHandlers {
  open(): void
  message(text: string): void
  closed(code: number, reason: string): void
}
export interface SocketConnection {
  send(text: string): void
  close(): void
}
export type OpenSocket = (url: string, handlers: SocketHandlers) => SocketConnection

/** ws(s)://HOST/api?token=TOKEN for the page's own location, or null when the page has no token. */
export function apiSocketUrl(location: { protocol: string; host: string; search: string }): string | null {
  const token = new URLSearchParams(location.search).get('token')
  if (!token) return null
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`
}

const missingToken = () =>
  new ApiError(
    'MissingToken',
    'This page was opened without its access token: open the exact URL that `thingbench serve` printed (it ends in ?token=…).'
  )
const refused = () =>
  new ApiError(
    'ConnectionRefused',
    'Could not connect to ThingBench: the server is not running, or this page’s token is not the one it printed. Open the URL `thingbench serve` printed.'
  )
const lost = (code: number, reason: string) =>
  new ApiError('ConnectionLost', `Lost the connection to ThingBench (${reason || `WebSocket closed with code ${code}`}): reload the page`)

/**
 * A Transport over one WebSocket, opened on first use. Calls made before it opens are queued; when
 * it closes, pending and later calls fail with an ApiError saying so (no reconnect: a restarted
 * server has a new token, so the page must be reloaded from its new URL anyway).
 */
export function createWebSocketTransport(options: { url: string | null; openSocket: OpenSocket }): Transport {
  const pending = new Map<number, { resolve: (answer: WireAnswer) => void; reject: (error: ApiError) => void }>()
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const queue: string[] = []
  let socket: SocketConnection | undefined
  let state: 'idle' | 'connecting' | 'open' | 'closed' = 'idle'
  let failure: ApiError | undefined = options.url === null ? missingToken() : undefined
  let nextId = 1

  function fail(error: ApiError): void {
    state = 'closed'
    failure = error
    queue.length = 0
    for (const call of pending.values()) call.reject(error)
    pending.clear()
  }

  function received(text: string): void {
    let message: { id?: unknown; answer?: WireAnswer; event?: unknown; payload?: unknown }
    try {
      message = JSON.parse(text) as typeof message
    } catch {
      return
    }
    if (typeof message.id === 'number' && message.answer) {
      pending.get(message.id)?.resolve(message.answer)
      pending.delete(message.id)
    } else if (typeof message.event === 'string') {
      for (const listener of [...(listeners.get(message.event) ?? [])]) {
        try {
          listener(message.payload)
        } catch {
          // One failing listener must not starve the others.
        }
      }
    }
  }

  function ensureOpen(): void {
    if (state !== 'idle' || failure || options.url === null) return
    state = 'connecting'
    let opened = false
    try {
      socket = options.openSocket(options.url, {
        open() {
          opened = true
          state = 'open'
          for (const text of queue.splice(0)) socket!.send(text)
        },
        message: received,
        closed(code, reason) {
          if (state !== 'closed') fail(opened ? lost(code, reason) : refused())
        }
      })
    } catch {
      fail(refused())
    }
  }

  return {
    call(method, args) {
      ensureOpen()
      if (failure) return Promise.reject(failure)
      const id = nextId++
      const text = JSON.stringify({ id, method, args })
      const bytes = new TextEncoder().encode(text).byteLength
      if (bytes > maxMessageBytes)
        return Promise.reject(new ApiError('MessageTooLarge', `${method}: the arguments take ${bytes} bytes; ThingBench accepts at most ${maxMessageBytes}`))
      return new Promise<WireAnswer>((resolve, reject) => {
        pending.set(id, { resolve, reject })
        if (state === 'open') socket!.send(text)
        else queue.push(text)
      })
    },
    subscribe(event, listener) {
      ensureOpen()
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(listener)
      return () => void set.delete(listener)
    }
  }
}
