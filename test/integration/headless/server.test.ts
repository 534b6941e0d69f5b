import { CreateThingCommand } from '@aws-sdk/client-iot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attemptSocket, openSocket, ownOrigin, rawGet, secretBesideRenderer, startTestHeadless, type TestHeadless } from './support/headless'

// Browser mode's server with a real session (real keychain, real Local IoT Core): what a page with
// the printed URL gets, and what everyone else does not.

let t: TestHeadless
beforeAll(async () => {
  t = await startTestHeadless()
})
afterAll(async () => {
  await t?.close()
})

describe('the page', () => {
  it('is served from 127.0.0.1 with a strict Content-Security-Policy and no referrer', async () => {
    expect(t.server.url).toBe(`http://127.0.0.1:${t.server.port}/?token=${t.server.token}`)
    expect(t.server.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const response = await fetch(t.server.url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await response.text()).toContain('ThingBench test page')
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self';")
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${t.server.port} ws://localhost:${t.server.port}`)
    expect(csp).toContain("frame-ancestors 'none'")
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
    const script = await fetch(`http://127.0.0.1:${t.server.port}/assets/app.js`)
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
  })

  it('never serves a file outside the renderer folder, nor lists a folder', async () => {
    for (const path of ['/../package.json', '/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/..\\secret.txt', '/%00index.html']) {
      const response = await rawGet(t.server.port, path)
      expect([400, 403, 404], path).toContain(response.status)
      expect(response.body, path).not.toContain(secretBesideRenderer)
      expect(response.body, path).not.toContain('"name": "thingbench"')
    }
    expect((await rawGet(t.server.port, '/assets/')).status).toBe(404)
    expect((await rawGet(t.server.port, '/nothing-here.js')).status).toBe(404)
  })

  it('refuses a request naming a foreign Host (DNS rebinding) and methods other than GET/HEAD', async () => {
    const rebound = await rawGet(t.server.port, '/', { Host: `attacker.example:${t.server.port}` })
    expect(rebound.status).toBe(403)
    expect(rebound.body).not.toContain('ThingBench test page')
    const post = await fetch(`http://127.0.0.1:${t.server.port}/`, { method: 'POST', body: 'x' })
    expect(post.status).toBe(405)
    expect((await rawGet(t.server.port, '/', { Host: `localhost:${t.server.port}` })).status).toBe(200)
  })
})

describe('the WebSocket', () => {
  it('answers app.info and things.list for a page with the token', async () => {
    const iot = await t.session.iotClient({ kind: 'local' })
    await iot.send(new CreateThingCommand({ thingName: 'headless-lamp-1', attributePayload: { attributes: { room: 'lab' } } }))
    const client = await openSocket(t.server)
    try {
      const info = await client.call('app.info')
      expect(info).toEqual({ ok: true, result: expect.objectContaining({ runtime: 'browser', version: '9.9.9-test', home: t.home }) })
      const things = await client.call('things.list', {})
      expect(things.ok).toBe(true)
      expect((things.result as { things: Array<{ thingName: string; attributes: object }> }).things).toContainEqual(
        expect.objectContaining({ thingName: 'headless-lamp-1', attributes: { room: 'lab' } })
      )
    } finally {
      client.close()
    }
  })

  it.each([
    ['no token', { token: null }, 401],
    ['an empty token', { token: '' }, 401],
    ['a wrong token of the right length', { token: 'A'.repeat(43) }, 401],
    ['a foreign Origin', { origin: 'https://attacker.example' }, 403],
    ['an Origin on another loopback port', { origin: 'http://127.0.0.1:1' }, 403],
    ['no Origin', { origin: null }, 403],
    ['a foreign Host header', { host: 'attacker.example' }, 403],
    ['another path', { path: '/socket' }, 404]
  ] as const)('refuses an upgrade with %s before any message', async (_case, attempt, status) => {
    const before = t.log.length
    const result = await attemptSocket(t.server, attempt)
    expect(result).toEqual({ status, body: expect.any(String) })
    expect(t.log.slice(before).join('\n')).toMatch(/Refused a WebSocket connection/)
    expect(t.log.join('\n')).not.toContain(t.server.token)
  })

  it('accepts the page opened as localhost too', async () => {
    const result = await attemptSocket(t.server, { origin: `http://localhost:${t.server.port}`, host: `localhost:${t.server.port}` })
    expect(result).toHaveProperty('socket')
    if ('socket' in result) result.socket.close()
  })

  it('answers malformed and oversized messages with an error and keeps serving', async () => {
    const client = await openSocket(t.server)
    try {
      client.socket.send('{not json')
      expect((await client.next((m) => m.answer?.error?.errorName === 'MalformedMessage')).answer!.error!.message).toMatch(/not JSON/)
      client.socket.send('[1,2]')
      client.socket.send(JSON.stringify({ method: 'app.info' }))
      client.socket.send(Buffer.from([1, 2, 3]), { binary: true })
      await client.next((m) => client.received.filter((r) => r.answer?.error?.errorName === 'MalformedMessage').length >= 4 && !!m)

      const huge = JSON.stringify({ id: 777, method: 'certificates.inspect', args: { pem: 'x'.repeat(1_100_000) } })
      client.socket.send(huge)
      const tooLarge = await client.next((m) => m.id === 777)
      expect(tooLarge.answer).toEqual({ ok: false, error: { errorName: 'MessageTooLarge', message: expect.stringMatching(/at most 1000000 bytes/) } })

      expect(await client.call('no.such.method')).toEqual({ ok: false, error: { errorName: 'UnknownMethod', message: expect.any(String) } })
      const invalid = await client.call('things.describe', { thingName: 'bad name!' })
      expect(invalid.error?.errorName).toBe('InvalidArguments')
      expect((await client.call('app.info')).ok).toBe(true)
    } finally {
      client.close()
    }
  })

  it('closes only the socket that sends a frame beyond the transport cap', async () => {
    const client = await openSocket(t.server)
    const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)))
    client.socket.send(Buffer.alloc(17_000_000, 0x20).toString())
    expect(await closed).toBe(1009)
    const another = await openSocket(t.server)
    expect((await another.call('app.info')).ok).toBe(true)
    another.close()
  })

  it('sends every back-end event to every connected page', async () => {
    const first = await openSocket(t.server)
    const second = await openSocket(t.server)
    try {
      const selected = await first.call('connections.select', { id: 'local' })
      expect(selected.ok).toBe(true)
      for (const client of [first, second]) {
        const event = await client.next((m) => m.event === 'connections.changed')
        expect(event.payload).toEqual(expect.objectContaining({ id: 'local', connection: { kind: 'local' } }))
      }
    } finally {
      first.close()
      second.close()
    }
  })
})

describe('closing', () => {
  it('says goodbye to open pages and stops listening', async () => {
    const own = await startTestHeadless()
    try {
      const client = await openSocket(own.server)
      const closed = new Promise<[number, string]>((resolve) => client.socket.once('close', (code, reason) => resolve([code, String(reason)])))
      await own.server.close()
      expect(await closed).toEqual([1001, 'ThingBench is shutting down'])
      await expect(fetch(`${ownOrigin(own.server)}/`)).rejects.toThrow()
    } finally {
      await own.close()
    }
  })
})
