import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { afterAll, describe, expect, it } from 'vitest'
import { cliEnv, runThingbench, startThingbench } from '../../support/thingbenchProcess'
import { writeFakeRenderer } from './support/headless'

// `thingbench serve` as a user runs it: a real child process on a fresh home (real keychain).

const temps: string[] = []
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  temps.push(dir)
  return dir
}
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true })
})

async function servedEnv(extra: NodeJS.ProcessEnv = {}): Promise<{ env: NodeJS.ProcessEnv; home: string }> {
  const home = await tempDir('tb-serve-home-')
  const rendererDir = await tempDir('tb-serve-ui-')
  await writeFakeRenderer(rendererDir)
  return { env: cliEnv(home, { THINGBENCH_RENDERER_DIR: rendererDir, ...extra }), home }
}

describe('thingbench serve', () => {
  it('prints one JSON line with the URL, serves the page and the API there, and stops cleanly on SIGTERM', async () => {
    const { env, home } = await servedEnv()
    const { child, line, stderr } = await startThingbench(['serve', '--port', '0'], env, (l) => l.startsWith('{'))
    const exited = once(child, 'close')
    try {
      const info = JSON.parse(line) as { url: string; port: number; home: string }
      expect(Object.keys(info)).toEqual(['url', 'port', 'home'])
      expect(info.home).toBe(home)
      expect(info.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${info.port}/\\?token=[A-Za-z0-9_-]{43}$`))

      const page = await fetch(info.url)
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('ThingBench test page')
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")

      const token = new URL(info.url).searchParams.get('token')!
      const socket = new WebSocket(`ws://127.0.0.1:${info.port}/api?token=${token}`, { origin: `http://127.0.0.1:${info.port}` })
      await once(socket, 'open')
      socket.send(JSON.stringify({ id: 1, method: 'app.info', args: {} }))
      const [data] = (await once(socket, 'message')) as [Buffer]
      expect(JSON.parse(String(data))).toEqual({ id: 1, answer: { ok: true, result: expect.objectContaining({ runtime: 'browser', home }) } })
      const socketClosed = once(socket, 'close')

      child.kill('SIGTERM')
      const [code] = (await exited) as [number | null]
      expect(code).toBe(0)
      expect((await socketClosed)[0]).toBe(1001)
      expect(stderr()).toMatch(/ThingBench stopping \(SIGTERM\)/)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })

  it('opens the URL with the system opener on --open', async () => {
    const bin = await tempDir('tb-serve-bin-')
    const record = join(bin, 'opened.txt')
    await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" > '${record}'\n`)
    await chmod(join(bin, 'xdg-open'), 0o755)
    const { env } = await servedEnv({ PATH: `${bin}:${process.env.PATH}` })
    const { child, line } = await startThingbench(['serve', '--open'], env, (l) => l.startsWith('{'))
    try {
      const { url } = JSON.parse(line) as { url: string }
      await expect.poll(() => readFile(record, 'utf8').catch(() => ''), { timeout: 10_000 }).toBe(url + '\n')
    } finally {
      child.kill('SIGTERM')
      await once(child, 'close')
    }
  })

  it('only warns when no browser can be opened, and keeps serving', async () => {
    const emptyBin = await tempDir('tb-serve-nobin-')
    const { env } = await servedEnv({ PATH: emptyBin })
    const { child, line, stderr } = await startThingbench(['serve', '--open'], env, (l) => l.startsWith('{'))
    try {
      const { url } = JSON.parse(line) as { url: string }
      await expect.poll(stderr, { timeout: 10_000 }).toMatch(/Warning: could not open a browser \(xdg-open was not found\)/)
      expect((await fetch(url)).status).toBe(200)
    } finally {
      child.kill('SIGTERM')
      await once(child, 'close')
    }
  })

  // vitest's globalSetup (test/setup/freshBuild.ts) built it from the current sources.
  const built = join(__dirname, '..', '..', '..', 'out', 'renderer', 'index.html')
  it('serves the real build from out/renderer by default, every asset the page names included', async () => {
    const home = await tempDir('tb-serve-home-')
    const { child, line } = await startThingbench(['serve'], cliEnv(home), (l) => l.startsWith('{'))
    try {
      const { url } = JSON.parse(line) as { url: string }
      const html = await (await fetch(url)).text()
      expect(html).toBe(await readFile(built, 'utf8'))
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => new URL(m[1]!, url).href)
      expect(assets.length).toBeGreaterThan(0)
      for (const asset of assets) expect((await fetch(asset)).status, asset).toBe(200)
    } finally {
      child.kill('SIGTERM')
      await once(child, 'close')
    }
  })

  it('fails with a one-line reason when the UI has not been built', async () => {
    const home = await tempDir('tb-serve-home-')
    const result = await runThingbench(['serve'], cliEnv(home, { THINGBENCH_RENDERER_DIR: join(home, 'no-renderer-here') }))
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/^thingbench serve: the built UI is missing .*run `npm run build` first\n$/)
  })

  it('says so in one line when the port is taken', async () => {
    const { env } = await servedEnv()
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    try {
      const port = (taken.address() as AddressInfo).port
      const result = await runThingbench(['serve', '--port', String(port)], env)
      expect(result.code).toBe(1)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(new RegExp(`^thingbench serve: Port ${port} is already in use on 127\\.0\\.0\\.1: choose another with --port`, 'm'))
    } finally {
      taken.close()
    }
  })

  it('refuses a port that is not a number as a usage error', async () => {
    const home = await tempDir('tb-serve-home-')
    const result = await runThingbench(['serve', '--port', 'eighty'], cliEnv(home))
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/--port must be a port number/)
  })
})
