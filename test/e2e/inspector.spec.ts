import { IoTDataPlaneClient, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import type { Locator, Page } from '@playwright/test'
import { callApi } from './callApi'
import { expect, test } from './fixtures'

// The live shadow inspector in browser mode against `thingbench serve` and the Local IoT Core:
// an outside update shows up marked, the seed-001 thermostat flow with the app acting as the
// device, a version conflict merged, a named shadow's life.

async function provisioned(page: Page, thingName: string): Promise<void> {
  const outcome = (await callApi(page, 'provisioning.run', { plan: { thingName } })) as { outcome: string }
  expect(outcome.outcome, JSON.stringify(outcome)).toBe('provisioned')
}

async function openInspector(page: Page, url: string, path: string): Promise<void> {
  await page.goto(`${url}#${path}`)
  await expect(page.getByTestId('shadow-view')).toHaveAttribute('data-watch-state', 'watching')
}

const leaf = (page: Page, section: 'desired' | 'reported' | 'delta', path: string): Locator => page.getByTestId(`shadow-tree-${section}`).locator(`[data-path="${path}"]`)

/** Replaces a CodeMirror editor's text, as a person selecting all and typing would. */
async function typeInto(page: Page, testId: string, text: string): Promise<void> {
  const editor = page.getByTestId(testId)
  await editor.click()
  await page.keyboard.press('ControlOrMeta+A')
  await page.keyboard.insertText(text)
}

function dataPlaneOf(sandbox: { dataPlaneUrl: string; region: string; accessKeyId: string; secretAccessKey: string }): IoTDataPlaneClient {
  return new IoTDataPlaneClient({ endpoint: sandbox.dataPlaneUrl, region: sandbox.region, credentials: { accessKeyId: sandbox.accessKeyId, secretAccessKey: sandbox.secretAccessKey } })
}
const updateShadow = (client: IoTDataPlaneClient, thingName: string, state: object) =>
  client.send(new UpdateThingShadowCommand({ thingName, payload: new TextEncoder().encode(JSON.stringify({ state })) }))

test('an update made outside the app appears in the open inspector, its change marked, within a second', async ({ app, served, sandbox, snap }) => {
  const dataPlane = dataPlaneOf(sandbox)
  await provisioned(app, 'thermostat-1')
  await updateShadow(dataPlane, 'thermostat-1', { reported: { temperature: 19, mode: 'heat' } })
  await openInspector(app, served.url, '/shadow/thermostat-1')
  await expect(leaf(app, 'reported', 'reported.temperature')).toContainText('19')
  await expect(app.getByTestId('shadow-presence')).toContainText('unknown')

  await updateShadow(dataPlane, 'thermostat-1', { desired: { temperature: 23 } })
  await expect(leaf(app, 'desired', 'desired.temperature')).toHaveAttribute('data-changed', 'true', { timeout: 1000 })
  await expect(leaf(app, 'delta', 'desired.temperature')).toContainText('23')
  await expect(leaf(app, 'reported', 'reported.temperature')).not.toHaveAttribute('data-changed', 'true')
  await snap('inspector-outside-update')
  dataPlane.destroy()
})

test('seed-001 thermostat: initial reported state, a desired change in the editor, the device accepts, the delta is gone', async ({ app, served, snap }) => {
  await provisioned(app, 'thermostat-2')
  await openInspector(app, served.url, '/shadow/thermostat-2')
  await expect(app.getByTestId('shadow-absent')).toBeVisible()

  // Act as the device: connect (mutual TLS, its vault key) and report the initial state.
  await app.getByTestId('device-mode-manual').click()
  await app.getByTestId('device-start').click()
  await expect(app.getByTestId('device-connection')).toHaveText('connected')
  await expect(app.getByTestId('shadow-presence')).toContainText('online')
  await typeInto(app, 'device-report-text', '{"temperature": 20, "mode": "heat"}')
  await app.getByTestId('device-report').click()
  await expect(leaf(app, 'reported', 'reported.mode')).toContainText('"heat"')

  // The cloud application's move: desired, sent with the version.
  await typeInto(app, 'shadow-editor-text', '{"temperature": 24}')
  await app.getByTestId('shadow-editor-send').click()
  await expect(app.getByTestId('shadow-editor-sent')).toContainText('Accepted')
  await expect(leaf(app, 'delta', 'desired.temperature')).toContainText('24')
  await expect(app.getByTestId('device-pending-delta')).toContainText('"temperature": 24')
  await snap('inspector-thermostat-delta')

  await app.getByTestId('device-accept').click()
  await expect(app.getByTestId('shadow-tree-delta')).toContainText('No delta')
  await expect(leaf(app, 'reported', 'reported.temperature')).toContainText('24')
  await expect(app.getByTestId('device-log')).toContainText('Reported')
  await snap('inspector-thermostat-accepted')
  await app.getByTestId('device-stop').click()
  await expect(app.getByTestId('shadow-presence')).toContainText('offline')
})

test('a version conflict opens the merge view, and the merged update is sent at the current version', async ({ app, served, sandbox, snap }) => {
  const dataPlane = dataPlaneOf(sandbox)
  await provisioned(app, 'thermostat-3')
  await updateShadow(dataPlane, 'thermostat-3', { desired: { temperature: 20 } })
  await openInspector(app, served.url, '/shadow/thermostat-3')
  await typeInto(app, 'shadow-editor-text', '{"temperature": 25}')
  // Someone else changes the shadow meanwhile.
  await updateShadow(dataPlane, 'thermostat-3', { desired: { fan: 'on' } })
  await expect(app.getByTestId('shadow-editor-moved')).toBeVisible()
  await app.getByTestId('shadow-editor-send').click()

  const merge = app.getByTestId('shadow-merge')
  await expect(merge).toBeVisible()
  await expect(merge.getByTestId('merge-theirs')).toContainText('"fan": "on"')
  await expect(merge.getByTestId('merge-yours')).toContainText('"temperature": 25')
  await typeInto(app, 'merge-result', '{"temperature": 25, "fan": "auto"}')
  await snap('inspector-merge')
  await merge.getByTestId('merge-send').click()
  await expect(merge).toBeHidden()
  await expect(leaf(app, 'desired', 'desired.fan')).toContainText('"auto"')
  await expect(leaf(app, 'desired', 'desired.temperature')).toContainText('25')
  dataPlane.destroy()
})

test('a named shadow is created, edited and deleted', async ({ app, served, snap }) => {
  await provisioned(app, 'lamp-1')
  await openInspector(app, served.url, '/shadow/lamp-1')
  await app.getByTestId('shadow-create-named').click()
  const dialog = app.getByTestId('shadow-create-dialog')
  await dialog.getByTestId('shadow-new-name').fill('dimmer')
  await dialog.getByTestId('shadow-new-desired').fill('{"level": 10}')
  await dialog.getByTestId('shadow-create-submit').click()
  await expect(app).toHaveURL(/#\/shadow\/lamp-1\?name=dimmer$/)
  await expect(leaf(app, 'desired', 'desired.level')).toContainText('10')

  await typeInto(app, 'shadow-editor-text', '{"level": 55}')
  await app.getByTestId('shadow-editor-send').click()
  await expect(leaf(app, 'desired', 'desired.level')).toContainText('55')
  await snap('inspector-named-shadow')
  expect(await callApi(app, 'shadow.list', { thingName: 'lamp-1' })).toEqual({ shadowNames: ['dimmer'] })

  await app.getByTestId('shadow-delete').click()
  await app.getByRole('button', { name: 'Delete', exact: true }).click()
  await expect(app).toHaveURL(/#\/shadow\/lamp-1$/)
  // The classic shadow took the deleted one's place in its tab.
  await expect(app.getByTestId('shadow-open-tab')).toHaveText([/lamp-1\s*classic/])
  expect(await callApi(app, 'shadow.list', { thingName: 'lamp-1' })).toEqual({ shadowNames: [] })
  await app.getByTestId('shadow-picker').click()
  await expect(app.locator('.n-base-select-option')).toHaveText(['Classic shadow'])
  await snap('inspector-named-deleted')
})

test('the Shadows entry asks for a thing and opens the one picked', async ({ app, snap }) => {
  await provisioned(app, 'lamp-2')
  await app.getByTestId('nav-shadows').click()
  await expect(app.getByTestId('shadow-choose-thing')).toBeVisible()
  await app.getByTestId('shadow-thing-picker').click()
  await app.keyboard.type('lamp-2')
  await app.locator('.n-base-select-option', { hasText: 'lamp-2' }).click()
  await expect(app).toHaveURL(/#\/shadow\/lamp-2$/)
  await expect(app.getByTestId('shadow-absent')).toBeVisible()
  await snap('inspector-picked-thing')
})
