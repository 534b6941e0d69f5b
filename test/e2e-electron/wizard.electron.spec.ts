import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { _electron as electron, expect, test as base, type ElectronApplication, type Page } from '@playwright/test'

// The packaged-style app (out/ from `npm run build`) in a real Electron window: the preload
// bridge, IPC, the sender check and native-module loading in the main process, which browser
// mode cannot cover. Each test gets a fresh ThingBench home (its own vault, journal and
// embedded Local IoT Core) and so its own single-instance lock.

const root = join(__dirname, '..', '..')

const test = base.extend<{ home: string; app: ElectronApplication; window: Page }>({
  home: async ({}, use) => {
    const home = await mkdtemp(join(tmpdir(), 'thingbench-electron-'))
    await use(home)
    await rm(home, { recursive: true, force: true })
  },
  app: async ({ home }, use) => {
    if (!existsSync(join(root, 'out', 'main', 'index.js'))) throw new Error('out/main/index.js is missing: run `npm run build` first')
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value
    // Electron would run as plain Node, or load the dev server instead of the build (hazards §6.1).
    delete env.ELECTRON_RUN_AS_NODE
    delete env.ELECTRON_RENDERER_URL
    env.THINGBENCH_HOME = home
    const app = await electron.launch({
      args: [root, ...(process.platform === 'linux' && process.env.CI ? ['--no-sandbox'] : [])],
      cwd: root,
      env
    })
    await use(app)
    await app.close()
  },
  window: async ({ app }, use) => {
    const window = await app.firstWindow()
    await expect(window.getByTestId('nav-provision')).toBeVisible()
    await use(window)
  }
})

/** naive-ui puts the test id on the input's wrapper; this finds the <input> either way. */
const field = (page: Page, testId: string) =>
  page.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first()

test('the page gets window.thingbench with exactly call and subscribe, and no Node', async ({ window }) => {
  const surface = await window.evaluate(() => {
    const page = globalThis as unknown as { thingbench?: object; require?: unknown; process?: unknown }
    return {
      keys: Object.keys(page.thingbench ?? {}).sort(),
      require: typeof page.require,
      process: typeof page.process
    }
  })
  expect(surface).toEqual({ keys: ['call', 'subscribe'], require: 'undefined', process: 'undefined' })
  const info = await window.evaluate(() =>
    (globalThis as unknown as { thingbench: { call(m: string, a: unknown): Promise<unknown> } }).thingbench.call('app.info', {})
  )
  expect(info).toEqual({ ok: true, result: expect.objectContaining({ runtime: 'electron' }) })
})

test('provisions a device through the wizard with a key made on this machine (CSR)', async ({ window }) => {
  const thingName = `bench-electron-${Date.now()}`
  await window.getByTestId('nav-provision').click()
  await expect(window.getByTestId('wizard-step-device')).toBeVisible()
  await field(window, 'wizard-thing-name').fill(thingName)

  for (const step of ['identity', 'policy', 'groups', 'review']) {
    await window.getByTestId('wizard-next').click()
    await expect(window.getByTestId(`wizard-step-${step}`)).toBeVisible()
    if (step === 'identity') await window.getByTestId('identity-mode-csr').click()
  }
  await expect(window.getByTestId('review-call').first()).toBeVisible()

  await window.getByTestId('wizard-run').click()
  const outcome = window.getByTestId('run-outcome')
  await expect(outcome).toHaveAttribute('data-outcome', 'provisioned', { timeout: 60_000 })

  // Checked through the same bridge: the thing exists with one certificate whose key is in the vault.
  const details = (await window.evaluate(
    (name) => (globalThis as unknown as { thingbench: { call(m: string, a: unknown): Promise<unknown> } }).thingbench.call('things.describe', { thingName: name }),
    thingName
  )) as { ok: boolean; result: { principals: Array<{ keyInVault: boolean }> } }
  expect(details.ok).toBe(true)
  expect(details.result.principals).toEqual([expect.objectContaining({ keyInVault: true })])
})
