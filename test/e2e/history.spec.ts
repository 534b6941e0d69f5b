import { readFile } from 'node:fs/promises'
import { IoTDataPlaneClient, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import type { Page } from '@playwright/test'
import { callApi } from './callApi'
import { expect, test } from './fixtures'

// The inspector's History tab in browser mode against `thingbench serve` and the Local IoT Core:
// versions kept across a restart of the back end, a CSV export holding them, a chart of a leaf
// and the shadow's metrics, with updates made outside the app.

function dataPlaneOf(sandbox: { dataPlaneUrl: string; region: string; accessKeyId: string; secretAccessKey: string }): IoTDataPlaneClient {
  return new IoTDataPlaneClient({ endpoint: sandbox.dataPlaneUrl, region: sandbox.region, credentials: { accessKeyId: sandbox.accessKeyId, secretAccessKey: sandbox.secretAccessKey } })
}
const updateShadow = (client: IoTDataPlaneClient, thingName: string, state: object, clientToken?: string) =>
  client.send(new UpdateThingShadowCommand({ thingName, payload: new TextEncoder().encode(JSON.stringify({ state, ...(clientToken ? { clientToken } : {}) })) }))

async function openHistory(page: Page, url: string, thingName: string): Promise<void> {
  await page.goto(`${url}#/shadow/${thingName}`)
  await expect(page.getByTestId('shadow-view')).toHaveAttribute('data-watch-state', 'watching')
  await page.getByTestId('shadow-tab-history').click()
  await expect(page.getByTestId('history-panel')).toBeVisible()
}
const rows = (page: Page) => page.getByTestId('history-version-row')

test('history survives a restart of the back end, and its CSV export holds the versions', async ({ app, served, sandbox, snap }) => {
  const dataPlane = dataPlaneOf(sandbox)
  const outcome = (await callApi(app, 'provisioning.run', { plan: { thingName: 'thermostat-1' } })) as { outcome: string }
  expect(outcome.outcome).toBe('provisioned')
  await updateShadow(dataPlane, 'thermostat-1', { reported: { temperature: 19 } })
  await openHistory(app, served.url, 'thermostat-1')
  await expect(rows(app)).toHaveCount(1)
  await updateShadow(dataPlane, 'thermostat-1', { desired: { temperature: 22 } }, 'cloud-app')
  await updateShadow(dataPlane, 'thermostat-1', { reported: { temperature: 22 } }, 'thermostat-fw')
  // Live: no reload.
  await expect(rows(app)).toHaveCount(3)
  await expect(rows(app).first()).toContainText('thermostat-fw')

  const { url } = await served.restart()
  await openHistory(app, url, 'thermostat-1')
  await expect(rows(app)).toHaveCount(3)
  await expect(app.locator('[data-testid="history-version-row"][data-version="2"]')).toContainText('cloud-app')

  // A version as it was, and a diff of two.
  await app.locator('[data-testid="history-version-row"][data-version="2"]').click()
  await expect(app.getByTestId('history-version-document')).toContainText('"temperature": 22')
  await expect(app.getByTestId('history-version-document')).toContainText('"temperature": 19')
  await app.locator('[data-testid="history-version-row"][data-version="1"] .n-checkbox').click()
  await app.locator('[data-testid="history-version-row"][data-version="3"] .n-checkbox').click()
  await expect(app.getByTestId('history-diff')).toContainText('Changes from version 1 to 3')
  await expect(app.getByTestId('history-change')).toHaveCount(2)

  await app.getByTestId('history-export-csv').click()
  await expect(app.getByTestId('history-exported')).toContainText('3 versions written')
  const path = (await app.getByTestId('history-export-path').textContent())!
  const lines = (await readFile(path, 'utf8')).trim().split(/\r?\n/)
  expect(lines).toHaveLength(4)
  expect(lines[0]).toMatch(/version/)
  expect(lines[0]).toContain('reported.temperature')
  // By column, not by text: the time column may hold "22" too (21:22, :22 s).
  const header = lines[0]!.split(',')
  const cellsOf = (name: string) => lines.slice(1).map((line) => line.split(',')[header.indexOf(name)])
  expect(cellsOf('version')).toEqual(['1', '2', '3'])
  expect(cellsOf('desired.temperature')).toEqual(['', '22', '22'])
  expect(cellsOf('reported.temperature')).toEqual(['19', '19', '22'])
  await snap('history-after-restart')
  dataPlane.destroy()
})

test('a chart shows a series live from the history, and the metrics show the update rate and sync latency', async ({ app, served, sandbox, snap }) => {
  const dataPlane = dataPlaneOf(sandbox)
  const outcome = (await callApi(app, 'provisioning.run', { plan: { thingName: 'sensor-1' } })) as { outcome: string }
  expect(outcome.outcome).toBe('provisioned')
  await updateShadow(dataPlane, 'sensor-1', { reported: { temperature: 18, humidity: 40 } })
  await openHistory(app, served.url, 'sensor-1')
  for (const temperature of [19, 20, 21]) await updateShadow(dataPlane, 'sensor-1', { reported: { temperature } })
  await updateShadow(dataPlane, 'sensor-1', { desired: { temperature: 23 } })
  await updateShadow(dataPlane, 'sensor-1', { reported: { temperature: 23 } })
  await expect(rows(app)).toHaveCount(6)

  const chart = app.getByTestId('shadow-chart')
  await expect(chart.locator('canvas')).toBeVisible()
  await expect(chart.locator('.u-legend')).toContainText('reported.temperature')
  await expect(chart.locator('.u-legend')).toContainText('reported.humidity')
  await expect(chart).toHaveAttribute('data-points', '6')
  // Live: one more version, one more point.
  await updateShadow(dataPlane, 'sensor-1', { reported: { temperature: 24 } })
  await expect(chart).toHaveAttribute('data-points', '7')
  // Paused: the plot holds still; resumed, it catches up.
  await app.getByTestId('chart-pause').click()
  await updateShadow(dataPlane, 'sensor-1', { reported: { temperature: 25 } })
  await expect(rows(app)).toHaveCount(8)
  await expect(chart).toHaveAttribute('data-points', '7')
  await app.getByTestId('chart-pause').click()
  await expect(chart).toHaveAttribute('data-points', '8')

  await expect(app.getByTestId('metric-update-rate')).toContainText('1.6 versions/min')
  await expect(app.getByTestId('metric-sync-last')).not.toHaveText('—')
  await expect(app.getByTestId('shadow-metrics')).toContainText('temperature, v5 → v6')
  await chart.scrollIntoViewIfNeeded()
  await snap('history-chart-metrics')
  dataPlane.destroy()
})
