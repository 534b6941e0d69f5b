import { IoTDataPlaneClient, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import type { Locator, Page } from '@playwright/test'
import { callApi } from './callApi'
import { expect, test } from './fixtures'

// Several shadows open at once in the inspector, in browser mode against `thingbench serve` and
// the Local IoT Core: a tab in the background stays live, the tabs survive a reload, and the
// keyboard switches, closes and sends.

async function provisioned(page: Page, thingName: string): Promise<void> {
  const outcome = (await callApi(page, 'provisioning.run', { plan: { thingName } })) as { outcome: string }
  expect(outcome.outcome, JSON.stringify(outcome)).toBe('provisioned')
}

function dataPlaneOf(sandbox: { dataPlaneUrl: string; region: string; accessKeyId: string; secretAccessKey: string }): IoTDataPlaneClient {
  return new IoTDataPlaneClient({ endpoint: sandbox.dataPlaneUrl, region: sandbox.region, credentials: { accessKeyId: sandbox.accessKeyId, secretAccessKey: sandbox.secretAccessKey } })
}
const updateShadow = (client: IoTDataPlaneClient, thingName: string, state: object) =>
  client.send(new UpdateThingShadowCommand({ thingName, payload: new TextEncoder().encode(JSON.stringify({ state })) }))

const leaf = (page: Page, section: 'desired' | 'reported' | 'delta', path: string): Locator => page.getByTestId(`shadow-tree-${section}`).locator(`[data-path="${path}"]`)
const tabOf = (page: Page, id: string): Locator => page.locator(`[data-testid="shadow-open-tab"][data-tab-id="${id}"]`)
const watching = (page: Page) => expect(page.getByTestId('shadow-view')).toHaveAttribute('data-watch-state', 'watching')

async function openThing(page: Page, thingName: string): Promise<void> {
  await page.getByTestId('shadow-thing-picker').click()
  await page.keyboard.type(thingName)
  await page.locator('.n-base-select-option', { hasText: thingName }).click()
  await expect(page).toHaveURL(new RegExp(`#/shadow/${thingName}$`))
  await watching(page)
}

test('two things open in tabs, both live: an outside update reaches the tab in the background, and the tabs survive a reload', async ({ app, served, sandbox, snap }) => {
  const dataPlane = dataPlaneOf(sandbox)
  await provisioned(app, 'oven-1')
  await provisioned(app, 'fridge-1')
  await updateShadow(dataPlane, 'oven-1', { reported: { celsius: 20 } })
  await updateShadow(dataPlane, 'fridge-1', { reported: { celsius: 4 } })

  await app.goto(`${served.url}#/shadow/oven-1`)
  await watching(app)
  await expect(leaf(app, 'reported', 'reported.celsius')).toContainText('20')
  await openThing(app, 'fridge-1')
  await expect(app.getByTestId('shadow-open-tab')).toHaveText([/oven-1\s*classic/, /fridge-1\s*classic/])
  await expect(tabOf(app, 'fridge-1')).toHaveClass(/n-tabs-tab--active/)
  await expect(leaf(app, 'reported', 'reported.celsius')).toContainText('4')

  // Outside the app, while oven-1 is in the background.
  await updateShadow(dataPlane, 'oven-1', { desired: { celsius: 180 } })
  await expect(tabOf(app, 'oven-1').getByTestId('shadow-open-tab-unseen')).toContainText('1')
  await snap('shadow-tabs-background-change')
  await tabOf(app, 'oven-1').click()
  await expect(app).toHaveURL(/#\/shadow\/oven-1$/)
  // Shown at once from the live background watch: the view never goes back to "starting".
  await expect(app.getByTestId('shadow-view')).toHaveAttribute('data-watch-state', 'watching', { timeout: 200 })
  await expect(leaf(app, 'desired', 'desired.celsius')).toContainText('180', { timeout: 500 })
  await expect(leaf(app, 'delta', 'desired.celsius')).toContainText('180')
  await expect(tabOf(app, 'oven-1').getByTestId('shadow-open-tab-unseen')).toHaveCount(0)
  await snap('shadow-tabs-switched-back')

  // A reload keeps the tabs and the one in front, each watched again.
  await app.reload()
  await watching(app)
  await expect(app.getByTestId('shadow-open-tab')).toHaveText([/oven-1/, /fridge-1/])
  await expect(tabOf(app, 'oven-1')).toHaveClass(/n-tabs-tab--active/)
  await updateShadow(dataPlane, 'fridge-1', { reported: { celsius: 5 } })
  await expect(tabOf(app, 'fridge-1').getByTestId('shadow-open-tab-unseen')).toContainText('1')
  // Coming back to the inspector by its navigation entry brings back the tab that was in front.
  await app.getByTestId('nav-mqtt').click()
  await app.getByTestId('nav-shadows').click()
  await expect(app).toHaveURL(/#\/shadow\/oven-1$/)
  await watching(app)
  await snap('shadow-tabs-after-reload')

  // Closing a tab ends its watch: the back end no longer has it, and the neighbour comes to the front.
  await tabOf(app, 'oven-1').locator('.n-tabs-tab__close').click()
  await expect(app).toHaveURL(/#\/shadow\/fridge-1$/)
  await expect(app.getByTestId('shadow-open-tab')).toHaveCount(1)
  await expect(leaf(app, 'reported', 'reported.celsius')).toContainText('5')
  dataPlane.destroy()
})

test('the keyboard switches tabs (Alt+1…9), closes one (Alt+W), sends the edit (Ctrl+Enter) and searches for a thing (/); unsent edits stay with their tab', async ({ app, served, snap }) => {
  await provisioned(app, 'kbd-1')
  await provisioned(app, 'kbd-2')
  await app.goto(`${served.url}#/shadow/kbd-1`)
  await watching(app)
  await expect(app.getByTestId('shadow-absent')).toContainText('kbd-1 has no classic shadow: create it by updating desired')
  await app.getByTestId('shadow-absent-create').click()
  await app.keyboard.press('ControlOrMeta+A')
  await app.keyboard.insertText('{"level": 3}')
  await expect(app.getByTestId('shadow-editor-text')).toContainText('"level": 3')
  await app.keyboard.press('Control+Enter')
  await expect(app.getByTestId('shadow-editor')).toContainText('Accepted as version 1')
  await expect(leaf(app, 'desired', 'desired.level')).toContainText('3')

  // Unsent work in kbd-1's editor, then "/" to open another thing.
  await app.getByTestId('shadow-editor-text').click()
  await app.keyboard.press('ControlOrMeta+A')
  await app.keyboard.insertText('{"level": 7}')
  await app.getByTestId('shadow-version').click()
  await app.keyboard.press('/')
  await app.keyboard.type('kbd-2')
  await app.locator('.n-base-select-option', { hasText: 'kbd-2' }).click()
  await expect(app).toHaveURL(/#\/shadow\/kbd-2$/)
  await watching(app)
  await expect(app.getByTestId('shadow-editor-text')).toHaveText('{}')

  await app.keyboard.press('Alt+Digit1')
  await expect(app).toHaveURL(/#\/shadow\/kbd-1$/)
  await expect(app.getByTestId('shadow-editor-text')).toContainText('"level": 7')
  await snap('shadow-tabs-keyboard')
  await app.keyboard.press('Alt+Digit2')
  await expect(app).toHaveURL(/#\/shadow\/kbd-2$/)
  await app.keyboard.press('Alt+KeyW')
  await expect(app).toHaveURL(/#\/shadow\/kbd-1$/)
  await expect(app.getByTestId('shadow-open-tab')).toHaveCount(1)
  await app.keyboard.press('Alt+KeyW')
  await expect(app).toHaveURL(/#\/shadow$/)
  await expect(app.getByTestId('shadow-choose-thing')).toBeVisible()
  await expect(app.getByTestId('shadow-open-tabs')).toHaveCount(0)
})

test('act-as-device choices are remembered, and each tab keeps its own device', async ({ app, served }) => {
  await provisioned(app, 'dev-1')
  await provisioned(app, 'dev-2')
  await app.goto(`${served.url}#/shadow/dev-1`)
  await watching(app)
  await app.getByTestId('device-mode-auto').click()
  const delay = app.getByTestId('device-delay')
  await delay.fill('2500')
  await delay.blur()
  await app.getByTestId('device-start').click()
  await expect(app.getByTestId('device-connection')).toHaveText('connected')

  await app.goto(`${served.url}#/shadow/dev-2`)
  await watching(app)
  await expect(app.getByTestId('device-start')).toBeVisible()
  await expect(tabOf(app, 'dev-1')).toContainText('●')
  await tabOf(app, 'dev-1').click()
  await expect(app.getByTestId('device-connection')).toHaveText('connected')

  await app.reload()
  await watching(app)
  await expect(app.getByTestId('device-mode-auto').locator('input')).toBeChecked()
  await expect(delay).toHaveValue('2500')
})
