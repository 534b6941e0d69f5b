import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { AppSession } from '../../../../electron/app/session'
import { osKeychain } from '../../../../electron/core/vault'
import { startHeadlessServer, type HeadlessServer } from '../../../../electron/headless'

// The headless server on a real session (temp home, real keychain, Local IoT Core on demand) and
// a tiny stand-in for the built renderer, with a secret file beside it that must never be served.

export const fakeIndexHtml = '<!doctype html><title>ThingBench test page</title><script type="module" src="./assets/app.js"></script>\n'
export const secretBesideRenderer = 'this file sits next to the renderer folder and must never be served'

export interface TestHeadless {
  server: HeadlessServer
  session: AppSession
  home: string
  rendererDir: string
  /** Lines the server logged (refusals, unexpected errors). */
  log: string[]
  close(): Promise<void>
}

/** Writes a minimal "built renderer" into `dir`. */
export async function writeFakeRenderer(dir: string): Promise<void> {
  await mkdir(join(dir, 'assets'), { recursive: true })
  await writeFile(join(dir, 'index.html'), fakeIndexHtml)
  await writeFile(join(dir, 'assets', 'app.js'), 'document.title = "loaded"\n')
}

export async function startTestHeadless(): Promise<TestHeadless> {
  const home = await mkdtemp(join(tmpdir(), 'tb-headless-'))
  const rendererDir = join(home, 'renderer')
  await writeFakeRenderer(rendererDir)
  await writeFile(join(home, 'secret.txt'), secretBesideRenderer)
  const keychain = osKeychain('ThingBench-test')
  const session = await AppSession.open({ home, keychain })
  const log: string[] = []
  const server = await startHeadlessServer({ session, rendererDir, version: '9.9.9-test', log: (line) => log.push(line) })
  return {
    server,
    session,
    home,
    rendererDir,
    log,
    close: async () => {
      await server.close()
      await session.close()
      await keychain.deleteSecret(session.vault.keychainAccount).catch(() => false)
      await rm(home, { recursive: true, force: true })
    }
  }
}

export const ownOrigin = (server: HeadlessServer) => `http://127.0.0.1:${server.port}`

/** A raw GET with the path exactly as given (no client-side normalisation of `..`). */
export function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

export interface SocketAttempt {
  token?: string | null
  origin?: string | null
  host?: string
  path?: string
}

/** Tries a WebSocket upgrade; resolves with the open socket or the HTTP status it was refused with. */
export function attemptSocket(server: HeadlessServer, attempt: SocketAttempt = {}): Promise<{ socket: WebSocket } | { status: number; body: string }> {
  const token = attempt.token === undefined ? server.token : attempt.token
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`
  const origin = attempt.origin === undefined ? ownOrigin(server) : attempt.origin
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}${attempt.path ?? '/api'}${query}`, {
    ...(origin === null ? {} : { origin }),
    ...(attempt.host ? { headers: { Host: attempt.host } } : {})
  })
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket }))
    socket.once('unexpected-response', (_req, res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    socket.once('error', reject)
  })
}

export async function openSocket(server: HeadlessServer): Promise<Client> {
  const attempt = await attemptSocket(server)
  if (!('socket' in attempt)) throw new Error(`the server refused the socket (${attempt.status}): ${attempt.body}`)
  return new Client(attempt.socket)
}

type Message = { id?: unknown; answer?: { ok: boolean; result?: unknown; error?: { errorName: string; message: string } }; event?: string; payload?: unknown }

/** A bare protocol client: raw sends, and every message received, in order. */
export class Client {
  readonly received: Message[] = []
  private waiters: Array<() => void> = []
  private nextId = 1

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(String(data)) as Message)
      for (const wake of this.waiters.splice(0)) wake()
    })
  }

  /** Waits for the first received message matching `match` (already received ones count). */
  async next(match: (message: Message) => boolean, timeoutMs = 15_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.received.find(match)
      if (found) return found
      if (Date.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms; received ${JSON.stringify(this.received).slice(0, 500)}`)
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve)
        setTimeout(resolve, 200)
      })
    }
  }

  async call(method: string, args: unknown = {}): Promise<NonNullable<Message['answer']>> {
    const id = this.nextId++
    this.socket.send(JSON.stringify({ id, method, args }))
    return (await this.next((m) => m.id === id)).answer!
  }

  close(): void {
    this.socket.close()
  }
}
