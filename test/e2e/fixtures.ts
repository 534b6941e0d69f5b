import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { IoTClient } from '@aws-sdk/client-iot'
import { test as base, expect, type Page, type TestInfo } from '@playwright/test'
import { boardOnPty, type BoardOnPty } from '../support/boardOnPty'

// Element Desktop's pattern: every test gets a fresh ThingBench home, its own Local IoT Core
// (`thingbench sandbox`) and its own `thingbench serve` on that home, and a browser context that
// can reach nothing but loopback.

const bin = fileURLToPath(new URL('../../bin/thingbench.mjs', import.meta.url))

interface Served {
  /** The URL `thingbench serve` printed, token included. */
  url: string
  port: number
  home: string
  /** Stops this `thingbench serve` and starts another on the same home (a new port and token): what a restart of the back end is. */
  restart: () => Promise<{ url: string; port: number }>
}

interface SandboxInfo {
  controlPlaneUrl: string
  /** The Device Shadow HTTP data plane (@aws-sdk/client-iot-data-plane's endpoint). */
  dataPlaneUrl: string
  region: string
  accessKeyId: string
  secretAccessKey: string
}

interface Fixtures {
  home: string
  sandbox: SandboxInfo
  /** An AWS SDK client on the test's Local IoT Core, to seed and to check what the UI did. */
  iot: IoTClient
  served: Served
  /** The app, opened in the browser with the token. */
  app: Page
  /** Saves a full-page screenshot as a test artifact (test-results/e2e/.../<name>.png). */
  snap: (name: string) => Promise<void>
  /** Simulated boards on socat pty pairs in a folder of the test's own (`<folder>/<name>-host`), all unplugged after it. */
  boards: Boards
}

export interface Boards {
  folder: string
  plugIn<Board extends { close(): Promise<void> }>(name: string, start: (devicePath: string) => Promise<Board>): Promise<BoardOnPty<Board>>
}

function childEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, THINGBENCH_HOME: home }
  for (const key of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'TB_PAUSE_AT'])
    delete env[key]
  return env
}

/** Starts `thingbench <args>` and resolves with its first stdout line (a JSON object). */
async function startCommand(args: string[], home: string): Promise<{ child: ChildProcess; info: Record<string, unknown> }> {
  const child = spawn(process.execPath, [bin, ...args], { env: childEnv(home), stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  const lines = createInterface({ input: child.stdout! })
  const line = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => l.trim().startsWith('{') && resolve(l))
    child.once('close', (code) => reject(new Error(`thingbench ${args.join(' ')} exited (${code}): ${stderr}`)))
  })
  return { child, info: JSON.parse(line) as Record<string, unknown> }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const closed = once(child, 'close')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await closed
  clearTimeout(timer)
}

const loopback = new Set(['127.0.0.1', 'localhost', '[::1]'])

export const test = base.extend<Fixtures>({
  home: async ({}, use) => {
    const home = await mkdtemp(join(tmpdir(), 'thingbench-e2e-'))
    await use(home)
    await rm(home, { recursive: true, force: true })
  },
  sandbox: async ({ home }, use) => {
    const { child, info } = await startCommand(['sandbox'], home)
    await use(info as unknown as SandboxInfo)
    await stop(child)
  },
  iot: async ({ sandbox }, use) => {
    const iot = new IoTClient({
      endpoint: sandbox.controlPlaneUrl,
      region: sandbox.region,
      credentials: { accessKeyId: sandbox.accessKeyId, secretAccessKey: sandbox.secretAccessKey }
    })
    await use(iot)
    iot.destroy()
  },
  served: async ({ home, sandbox }, use) => {
    void sandbox // serve reuses the home's running sandbox
    let { child, info } = await startCommand(['serve', '--port', '0'], home)
    const served: Served = {
      url: String(info.url),
      port: Number(info.port),
      home,
      restart: async () => {
        await stop(child)
        ;({ child, info } = await startCommand(['serve', '--port', '0'], home))
        Object.assign(served, { url: String(info.url), port: Number(info.port) })
        return { url: served.url, port: served.port }
      }
    }
    await use(served)
    await stop(child)
  },
  app: async ({ page, served }, use) => {
    // External network blocked: only loopback answers.
    await page.context().route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname
      return loopback.has(host) ? route.continue() : route.abort('blockedbyclient')
    })
    await page.goto(served.url)
    await expect(page.getByTestId('nav-provision')).toBeVisible()
    await use(page)
  },
  boards: async ({}, use) => {
    const folder = await mkdtemp(join(tmpdir(), 'thingbench-e2e-boards-'))
    const plugged: BoardOnPty<{ close(): Promise<void> }>[] = []
    await use({
      folder,
      async plugIn(name, start) {
        const board = await boardOnPty(name, start, folder)
        plugged.push(board)
        return board
      }
    })
    for (const board of plugged.reverse()) await board.close()
    await rm(folder, { recursive: true, force: true })
  },
  snap: async ({ page }, use, testInfo: TestInfo) => {
    await use(async (name) => {
      const dir = testInfo.outputPath('screenshots')
      await mkdir(dir, { recursive: true })
      const path = join(dir, `${name}.png`)
      await page.screenshot({ path, fullPage: true })
      await testInfo.attach(name, { path, contentType: 'image/png' })
    })
  }
})

export { expect }
