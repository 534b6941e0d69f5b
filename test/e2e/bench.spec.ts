import { join } from 'node:path'
import type { Locator, Page } from '@playwright/test'
import { benchWifi, presetConfig } from '../devices/expresslink/config'
import { expressLinkOnPort } from '../devices/expresslink/onPort'
import { thermostatOnPort } from '../devices/thermostat/onPort'
import { quickThermostat } from '../support/boardOnPty'
import { callApi } from './callApi'
import { expect, test } from './fixtures'

// The bench in the shadow inspector, in browser mode against `thingbench serve` and the Local IoT
// Core: the JSON-lines thermostat simulator on a socat pty, a thing provisioned with a local key,
// the port attached from the inspector, a desired change in the editor followed by the board. And
// the simulated ExpressLink module, onboarded, which holds its own MQTT connection: the bench drives
// its shadow commands over AT.

const thingName = 'bench-thermo-e2e'
const leaf = (page: Page, section: 'desired' | 'reported' | 'delta', path: string): Locator => page.getByTestId(`shadow-tree-${section}`).locator(`[data-path="${path}"]`)

/** Replaces a CodeMirror editor's text, as a person selecting all and typing would. */
async function typeInto(page: Page, testId: string, text: string): Promise<void> {
  await page.getByTestId(testId).click()
  await page.keyboard.press('ControlOrMeta+A')
  await page.keyboard.insertText(text)
}

const holderOf = async (page: Page, path: string): Promise<string | undefined> =>
  ((await callApi(page, 'serial.list', {})) as { ports: Array<{ path: string; heldBy?: string }> }).ports.find((port) => port.path === path)?.heldBy

test('attach the thermostat on a pty to its shadow: a desired change in the editor is reported back by the board, with the latency', async ({ app, served, snap, boards }) => {
  const { pair } = await boards.plugIn('thermostat', (path) => thermostatOnPort(path, quickThermostat))
  const outcome = (await callApi(app, 'provisioning.run', { plan: { thingName } })) as { outcome: string }
  expect(outcome.outcome, JSON.stringify(outcome)).toBe('provisioned')
  // A pty is never in the OS list: the technician adds its path once (the Serial view does the same).
  await callApi(app, 'serial.watchPath', { path: pair.hostPath })

  await app.goto(`${served.url}#/shadow/${thingName}`)
  await expect(app.getByTestId('shadow-view')).toHaveAttribute('data-watch-state', 'watching')
  const panel = app.getByTestId('bench-panel')
  await panel.getByTestId('bench-port').click()
  await app.locator('.n-base-select-option', { hasText: pair.hostPath }).click()
  await panel.getByTestId('bench-driver-jsonLines').click()
  await panel.getByTestId('bench-attach').click()
  await expect(panel.getByTestId('bench-state')).toHaveAttribute('data-state', 'attached')
  await expect(panel.getByTestId('bench-reason')).toContainText(`${pair.hostPath} attached to ${thingName}`)
  await expect(panel.getByTestId('bench-latency-none')).toBeVisible()
  expect(await holderOf(app, pair.hostPath)).toBe(`bench: ${thingName}`)

  // The cloud's move in the editor: the board hears the delta and reports the new target.
  await typeInto(app, 'shadow-editor-text', '{"target_temperature": 26}')
  await app.getByTestId('shadow-editor-send').click()
  await expect(app.getByTestId('shadow-editor-sent')).toContainText('Accepted')
  await expect(leaf(app, 'reported', 'reported.target_temperature')).toContainText('26')
  await expect(app.getByTestId('shadow-tree-delta')).toContainText('No delta')
  await expect(panel.getByTestId('bench-latency-last')).toHaveText(/^\d+ ms$/)
  await expect(panel.getByTestId('bench-latency')).toContainText('over 1 change')
  await snap('bench-attached-reported')

  // A second change: the median is over both.
  await typeInto(app, 'shadow-editor-text', '{"target_temperature": 18}')
  await app.getByTestId('shadow-editor-send').click()
  await expect(leaf(app, 'reported', 'reported.target_temperature')).toContainText('18')
  await expect(panel.getByTestId('bench-latency')).toContainText('over 2 changes')
  await expect(panel.getByTestId('bench-latency-p50')).toHaveText(/^\d+ ms$/)
  await snap('bench-latency')

  await panel.getByTestId('bench-detach').click()
  await expect(panel.getByTestId('bench-ended')).toContainText('as asked')
  await expect(panel.getByTestId('bench-attach')).toBeVisible()
  expect(await holderOf(app, pair.hostPath)).toBeUndefined()
  await snap('bench-detached')
})

test('attach an onboarded ExpressLink module to its thing with the ExpressLink driver: the module answers a desired change over its own connection, with the latency', async ({ app, served, snap, boards }) => {
  const stateDir = join(boards.folder, 'module-state')
  presetConfig(stateDir, benchWifi)
  const { pair } = await boards.plugIn('expresslink', (path) => expressLinkOnPort(path, { stateDir, backoffMs: 0 }))
  await callApi(app, 'serial.watchPath', { path: pair.hostPath })
  // Onboarding itself is onboarding.spec.ts's: here the module just needs to be on the Local IoT Core.
  const { thingName: moduleThing } = (await callApi(app, 'onboarding.expressLink', { portPath: pair.hostPath })) as { thingName: string }

  await app.goto(`${served.url}#/shadow/${moduleThing}`)
  await expect(app.getByTestId('shadow-view')).toHaveAttribute('data-watch-state', 'watching')
  await expect(app.getByTestId('shadow-tree-reported')).toContainText('onboardedAt')
  const panel = app.getByTestId('bench-panel')
  await panel.getByTestId('bench-port').click()
  await app.locator('.n-base-select-option', { hasText: pair.hostPath }).click()
  await panel.getByTestId('bench-driver-expresslink').click()
  await expect(panel).toContainText('The module keeps its own connection')
  await panel.getByTestId('bench-attach').click()
  await expect(panel.getByTestId('bench-state')).toHaveAttribute('data-state', 'attached', { timeout: 30_000 })
  await expect(panel.getByTestId('bench-port-attached')).toContainText(`${pair.hostPath} (ExpressLink)`)
  await expect(panel.getByTestId('bench-reason')).toContainText(`${pair.hostPath} attached: the module drives the classic shadow of ${moduleThing}`)
  await expect(panel.getByTestId('bench-latency-none')).toBeVisible()
  expect(await holderOf(app, pair.hostPath)).toBe(`bench: ${moduleThing}`)

  // The cloud's move in the editor: the module hears the delta on its own MQTT connection and reports it back.
  await typeInto(app, 'shadow-editor-text', '{"target_temperature": 21}')
  await app.getByTestId('shadow-editor-send').click()
  await expect(app.getByTestId('shadow-editor-sent')).toContainText('Accepted')
  await expect(leaf(app, 'reported', 'reported.target_temperature')).toContainText('21', { timeout: 20_000 })
  await expect(app.getByTestId('shadow-tree-delta')).toContainText('No delta')
  await expect(panel.getByTestId('bench-latency-last')).toHaveText(/^\d+ ms$/)
  await expect(panel.getByTestId('bench-latency')).toContainText('over 1 change')
  await expect(panel.getByTestId('bench-last-error')).toHaveCount(0)
  await snap('bench-expresslink-reported')

  await panel.getByTestId('bench-detach').click()
  await expect(panel.getByTestId('bench-ended')).toContainText('as asked')
  await expect(panel.getByTestId('bench-attach')).toBeVisible()
  expect(await holderOf(app, pair.hostPath)).toBeUndefined()
  await snap('bench-expresslink-detached')
})
