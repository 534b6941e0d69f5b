import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError, createApiClient, type ApiClient } from '../../../electron/contract'
import { apiSocketUrl, createWebSocketTransport, type OpenSocket } from '../../../renderer/src/api/webSocketTransport'
import { ownOrigin, startTestHeadless, type TestHeadless } from './support/headless'

// The renderer's browser-mode transport (renderer/src/api/webSocketTransport.ts) against the real
// headless server: the `ws` package stands in for the browser's WebSocket, sending the page's Origin.

function wsOpener(origin: string): OpenSocket {
  return (url, handlers) => {
    const socket = new WebSocket(url, { origin })
    socket.on('open', () => handlers.open())
    socket.on('message', (data, isBinary) => !isBinary && handlers.message(String(data)))
    socket.on('close', (code, reason) => handlers.closed(code, String(reason)))
    socket.on('error', () => {}) // followed by 'close'
    return { send: (text) => socket.send(text), close: () => socket.close() }
  }
}

function clientFor(server: TestHeadless['server'], token: string | null = server.token): ApiClient {
  const url = apiSocketUrl({ protocol: 'http:', host: `127.0.0.1:${server.port}`, search: token === null ? '' : `?token=${token}` })
  return createApiClient(createWebSocketTransport({ url, openSocket: wsOpener(ownOrigin(server)) }))
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(ApiError)
  return error as ApiError
}

let t: TestHeadless
beforeAll(async () => {
  t = await startTestHeadless()
})
afterAll(async () => {
  await t?.close()
})

describe('apiSocketUrl', () => {
  it('connects to the page’s own host with its token, and needs one', () => {
    expect(apiSocketUrl({ protocol: 'http:', host: '127.0.0.1:4000', search: '?token=ab_c-1' })).toBe('ws://127.0.0.1:4000/api?token=ab_c-1')
    expect(apiSocketUrl({ protocol: 'https:', host: 'bench.local', search: '?x=1&token=t' })).toBe('wss://bench.local/api?token=t')
    expect(apiSocketUrl({ protocol: 'http:', host: '127.0.0.1:4000', search: '' })).toBeNull()
  })
})

describe('the browser transport', () => {
  it('queues calls made before the socket opens and answers them', async () => {
    const api = clientFor(t.server)
    const [info, things] = await Promise.all([api.call('app.info', {}), api.call('things.list', {})])
    expect(info).toEqual(expect.objectContaining({ runtime: 'browser', home: t.home }))
    expect(things.things).toEqual(expect.any(Array))
  })

  it('turns a refused call into an ApiError with its error name', async () => {
    const api = clientFor(t.server)
    const error = await rejection(api.call('things.describe', { thingName: 'no-such-thing-anywhere' }))
    expect(error.errorName).toBe('ResourceNotFoundException')
    const invalid = await rejection(api.call('things.describe', { thingName: 'bad name!' }))
    expect(invalid.errorName).toBe('InvalidArguments')
  })

  it('delivers events to the listeners of that event until they unsubscribe', async () => {
    const api = clientFor(t.server)
    const seen: unknown[] = []
    const progress: unknown[] = []
    const off = api.on('connections.changed', (choice) => seen.push(choice))
    api.on('provisioning.progress', (p) => progress.push(p))
    await api.call('connections.select', { id: 'local' })
    await expect.poll(() => seen.length).toBe(1)
    expect(seen[0]).toEqual(expect.objectContaining({ id: 'local' }))
    off()
    await api.call('connections.select', { id: 'local' })
    await api.call('app.info', {})
    expect(seen).toHaveLength(1)
    expect(progress).toEqual([])
  })

  it('refuses an oversized call without sending it', async () => {
    const api = clientFor(t.server)
    const error = await rejection(api.call('certificates.inspect', { pem: 'x'.repeat(1_000_001) }))
    expect(error.errorName).toBe('MessageTooLarge')
    expect((await api.call('app.info', {})).runtime).toBe('browser')
  })

  it('says the page needs its token when it has none, without connecting', async () => {
    const before = t.log.length
    const error = await rejection(clientFor(t.server, null).call('app.info', {}))
    expect(error.errorName).toBe('MissingToken')
    expect(error.message).toMatch(/without its access token.*thingbench serve/)
    expect(t.log.slice(before)).toEqual([])
  })

  it('says it could not connect when the server refuses the token', async () => {
    const error = await rejection(clientFor(t.server, 'B'.repeat(43)).call('app.info', {}))
    expect(error.errorName).toBe('ConnectionRefused')
    expect(error.message).toMatch(/token/)
  })

  it('fails pending and later calls with "reload the page" when the server goes away', async () => {
    const own = await startTestHeadless()
    try {
      const api = clientFor(own.server)
      await api.call('app.info', {})
      const pending = rejection(api.call('things.list', {}))
      await own.server.close()
      const error = await pending
      expect(error.errorName).toBe('ConnectionLost')
      expect(error.message).toBe('Lost the connection to ThingBench (ThingBench is shutting down): reload the page')
      expect((await rejection(api.call('app.info', {}))).message).toMatch(/reload the page/)
    } finally {
      await own.close()
    }
  })
})
