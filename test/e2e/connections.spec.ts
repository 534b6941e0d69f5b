import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { findAwsClis, sandboxCliEnv } from '../support/awsClis'
import { expect, test } from './fixtures'

// Connections and the app shell in browser mode against `thingbench serve` and the Local IoT Core:
// the data endpoint and a connection test, the Local IoT Core's endpoints and credentials (the shown
// lines run by the AWS CLI), the navigation's icons and favicon, shortcuts, themes, and the banner
// when the back end goes away.

const run = promisify(execFile)

test('Connections shows the data endpoint, tests the connection, and the Local IoT Core’s details work in the AWS CLI', async ({ app, sandbox, snap }) => {
  await app.getByTestId('nav-connections').click()
  await expect(app.getByTestId('connections-view')).toBeVisible()
  const core = app.getByTestId('local-core-details')
  await expect(core.getByTestId('local-core-control-plane')).toContainText(sandbox.controlPlaneUrl)
  await expect(core.getByTestId('local-core-data-plane')).toContainText(sandbox.dataPlaneUrl)
  const mqtt = (await core.getByTestId('local-core-mqtt').locator('code').textContent())!
  await expect(app.getByTestId('connection-data-endpoint-local').getByTestId('data-endpoint-address')).toHaveText(mqtt)

  await app.getByTestId('connection-test-local').click()
  await expect(app.getByTestId('check-control-plane')).toContainText('Control plane: works')
  await expect(app.getByTestId('check-mqtt')).toContainText('MQTT data endpoint: works')
  await snap('connections-tested')

  // The secret is masked until asked for; then the lines as shown run in a shell with no AWS settings.
  await expect(core).not.toContainText(sandbox.secretAccessKey)
  await core.getByTestId('local-core-secret-toggle').click()
  await expect(core.getByTestId('local-core-secret')).toHaveText(sandbox.secretAccessKey)
  const credentials = (await core.getByTestId('local-core-command-credentials').locator('pre').textContent())!
  const listThings = (await core.getByTestId('local-core-command-list-things').locator('pre').textContent())!
  const cli = findAwsClis()[0]
  expect(cli, 'an AWS CLI is installed (scripts/install-linux-deps.sh)').toBeDefined()
  const home = await mkdtemp(join(tmpdir(), 'tb-e2e-shell-'))
  try {
    const env = sandboxCliEnv(home, { accessKeyId: '-', secretAccessKey: '-', region: '-' })
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_DEFAULT_REGION']) delete env[name]
    const { stdout } = await run('bash', ['-euc', `${credentials}\n${listThings.replace(/^aws /, `${cli!.path} `)}`], { env, cwd: home })
    expect(JSON.parse(stdout)).toHaveProperty('things')
  } finally {
    await rm(home, { recursive: true, force: true })
  }
  await snap('connections-local-core')
})

test('the shell: icons, the favicon served, shortcuts with their help, both themes', async ({ app, served, snap }) => {
  for (const testId of ['nav-provision', 'nav-things', 'nav-shadows', 'nav-mqtt', 'nav-connections'])
    await expect(app.locator('.n-menu-item-content', { has: app.getByTestId(testId) }).locator('svg')).toBeVisible()

  const href = await app.locator('link[rel="icon"]').getAttribute('href')
  expect(href).toBe('./favicon.ico')
  const favicon = await app.request.get(new URL(href!, served.url).href)
  expect(favicon.status()).toBe(200)
  expect(favicon.headers()['content-type']).toBe('image/x-icon')
  expect((await favicon.body()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]))

  // The wizard focuses its name field, where keys are typing: leave it first, as a user would.
  await app.evaluate('document.activeElement && document.activeElement.blur()')
  await app.keyboard.press('g')
  await app.keyboard.press('c')
  await expect(app.getByTestId('connections-view')).toBeVisible()
  await app.keyboard.press('g')
  await app.keyboard.press('m')
  await expect(app.getByTestId('mqtt-view')).toBeVisible()

  await app.keyboard.press('Shift+Slash')
  const help = app.getByTestId('shortcuts-help')
  await expect(help).toBeVisible()
  await expect(help.getByTestId('shortcuts-scope-Anywhere')).toContainText('Go to Shadows')
  // The open view's own shortcuts are listed too (the MQTT client registers its own).
  expect(await help.locator('[data-testid^="shortcuts-scope-"]').count()).toBeGreaterThan(1)
  await snap('shortcuts-help')
  await app.keyboard.press('Escape')
  await expect(help).toBeHidden()

  await app.keyboard.press('ControlOrMeta+k')
  await expect(app.getByTestId('go-to').locator('input')).toBeFocused()
  await app.keyboard.type('Thing t')
  await app.keyboard.press('Enter')
  await expect(app).toHaveURL(/#\/thing-types$/)

  const background = () => app.evaluate<string>('getComputedStyle(document.body).backgroundColor')
  const light = await background()
  await app.getByTestId('theme-toggle').click()
  await expect(app.getByTestId('theme-toggle')).toHaveAttribute('data-theme', 'dark')
  await expect.poll(background).not.toBe(light) // the theme's colours ease in
  await app.getByTestId('nav-connections').click()
  await expect(app.getByTestId('local-core-details')).toBeVisible()
  await snap('connections-dark')
})

test('a lost back end is shown in a banner with what to do; the new URL works again', async ({ app, served, snap }) => {
  await expect(app.getByTestId('backend-lost-banner')).toHaveCount(0)
  const { url } = await served.restart()
  const banner = app.getByTestId('backend-lost-banner')
  await expect(banner).toContainText('Lost the connection to ThingBench')
  await expect(banner).toContainText('open the URL it prints')
  await snap('backend-lost')
  await app.goto(url)
  await expect(app.getByTestId('nav-provision')).toBeVisible()
  await expect(app.getByTestId('backend-lost-banner')).toHaveCount(0)
})
