import { join } from 'node:path'
import { CreatePolicyCommand } from '@aws-sdk/client-iot'
import type { Locator, Page } from '@playwright/test'
import { deviceWriteSteps, type DeviceWriteStep } from '../../electron/contract/jsonLinesProvisioning'
import { benchWifi, presetConfig } from '../devices/expresslink/config'
import { expressLinkOnPort } from '../devices/expresslink/onPort'
import { thermostatOnPort } from '../devices/thermostat/onPort'
import { callApi } from './callApi'
import { expect, test } from './fixtures'
import { chooseBoardPort, fillDevice, next, runAndWait, startWizard } from './wizard'

// The wizard's "Write to a device over USB serial" when it goes wrong on a bench: the board's
// firmware cannot take an identity, something else is on the port, the board talks at another
// baud rate, the board is unplugged mid-write, the board stores the identity but cannot connect.
// Each time the technician sees the error's name, a sentence saying what happened and what the
// board now holds, and the step it failed at; the steps after it stay "not run".

const helloLabel = 'Ask the board who it is (it must offer provisioning)'

/** Runs the wizard for `thingName` to Done; `policy` chooses on the policy step (default: the template). */
async function provision(app: Page, thingName: string, policy?: () => Promise<void>): Promise<void> {
  await startWizard(app)
  await fillDevice(app, thingName)
  await next(app, 'identity')
  await next(app, 'policy')
  await policy?.()
  await next(app, 'groups')
  await next(app, 'review')
  expect(await runAndWait(app)).toBe('provisioned')
}

/** Confirms, writes, and waits for the failure: the steps before `failedAt` done, it failed, the rest not run. Returns the error shown. */
async function writeAndFail(app: Page, portPath: string, failedAt: DeviceWriteStep): Promise<{ section: Locator; error: Locator }> {
  const section = await chooseBoardPort(app, portPath)
  await section.getByTestId('device-write-confirm').click()
  await section.getByTestId('device-write-start').click()
  const error = section.getByTestId('device-write-error')
  await expect(error).toBeVisible({ timeout: 30_000 })
  const at = deviceWriteSteps.indexOf(failedAt)
  // Past the hello, the Wi-Fi items (none given here) are marked skipped at once.
  const skipped = new Set<DeviceWriteStep>(at > 0 ? ['wifiSsid', 'wifiPassphrase'] : [])
  for (const [index, step] of deviceWriteSteps.entries()) {
    const row = section.getByTestId(`device-write-step-${step}`)
    await expect(row, step).toHaveAttribute('data-status', skipped.has(step) ? 'skipped' : index < at ? 'done' : index === at ? 'failed' : 'pending')
    if (index > at && !skipped.has(step)) await expect(row, step).toContainText('not run')
  }
  await expect(section.getByTestId('device-write-connected')).toHaveCount(0)
  // Another try is one click away.
  await expect(section.getByTestId('device-write-start')).toBeEnabled()
  return { section, error }
}

test('a board whose firmware lacks the "provision" capability is refused at the hello in words, and nothing is written to it', async ({ app, boards }) => {
  const heard: string[] = []
  const { pair } = await boards.plugIn('no-provision', (path) =>
    thermostatOnPort(path, { capabilities: [], reportEveryMs: 60_000, onLine: (direction, text) => direction === 'in' && heard.push(text) })
  )
  await callApi(app, 'serial.watchPath', { path: pair.hostPath })
  await provision(app, 'write-no-capability')

  const { error } = await writeAndFail(app, pair.hostPath, 'hello')
  await expect(error).toContainText(`Failed at “${helloLabel}”`)
  await expect(error).toContainText(`NoProvisionCapability: ThingBench thermostat simulator 1.0.0 (serial TB-THERMO-0001) on ${pair.hostPath} does not list "provision"`)
  await expect(error).toContainText('its firmware cannot take an identity over the cable')
  await expect(error).toContainText('Nothing was written to it.')
  expect(heard.map((line) => (JSON.parse(line) as { type: string }).type)).toEqual(['hello'])
})

test('an ExpressLink module on the port is not a JSON-lines board: it ignores the hello (no "AT" in it), answers AT, and the sentence says to onboard it instead', async ({ app, boards }) => {
  const stateDir = join(boards.folder, 'module-state')
  presetConfig(stateDir, benchWifi)
  const { pair } = await boards.plugIn('expresslink', (path) => expressLinkOnPort(path, { stateDir, backoffMs: 0 }))
  await callApi(app, 'serial.watchPath', { path: pair.hostPath })
  await provision(app, 'write-wrong-board')

  const { error } = await writeAndFail(app, pair.hostPath, 'hello')
  await expect(error).toContainText(`Failed at “${helloLabel}”`)
  await expect(error).toContainText(`ExpressLinkModule: The device on ${pair.hostPath} answered "AT" with OK: it is an AWS IoT ExpressLink module, not a JSON-lines board.`)
  await expect(error).toContainText(`onboard it instead (Serial → Onboard…, or thingbench onboard --port ${pair.hostPath})`)
  await expect(error).toContainText('Nothing was written to it.')
})

test('a board at another baud rate sends line noise: the hello times out, and what came from the port is shown', async ({ app, boards }) => {
  const { pair } = await boards.plugIn('noisy', (path) => thermostatOnPort(path, { reportEveryMs: 60_000, faults: { noise: true } }))
  await callApi(app, 'serial.watchPath', { path: pair.hostPath })
  await provision(app, 'write-noisy-board')

  const { error } = await writeAndFail(app, pair.hostPath, 'hello')
  await expect(error).toContainText(`DeviceNotAnswering: The device on ${pair.hostPath} did not answer ThingBench's hello within 3000 ms`)
  await expect(error).toContainText("What came from the port: this looks like the wrong baud rate")
  await expect(error).toContainText("Reopen the port at the device's rate")
  await expect(error).toContainText('Nothing was written to it.')
})

test('the board unplugged while the certificate is sent: PortClosed at that step, and the board stored nothing', async ({ app, boards }) => {
  const cable: { pull?: () => Promise<void> } = {}
  const plugged = await boards.plugIn('unplugged', (path) =>
    thermostatOnPort(path, {
      connect: true,
      reportEveryMs: 60_000,
      // The cable is pulled as the certificate arrives, before the board can acknowledge it.
      onLine: (direction, text) => void (direction === 'in' && text.includes('"item":"certificate"') && cable.pull?.())
    })
  )
  cable.pull = () => plugged.close()
  await callApi(app, 'serial.watchPath', { path: plugged.pair.hostPath })
  await provision(app, 'write-unplugged')

  const { error } = await writeAndFail(app, plugged.pair.hostPath, 'certificate')
  await expect(error).toContainText('Failed at “Send the certificate”')
  await expect(error).toContainText('PortClosed: The port closed before "provision"')
  await expect(error).toContainText('was the cable pulled or the board reset? Reopen the port and send it again.')
  await expect(error).toContainText('Nothing was stored: the device keeps an identity only at the commit.')
})

test('a board that stores the identity but is refused by the broker (a policy without iot:Connect) fails at connect with the reason', async ({ app, iot, boards, snap }) => {
  const thingName = 'write-cannot-connect'
  await iot.send(
    new CreatePolicyCommand({
      policyName: 'publish-only',
      policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Publish', Resource: '*' }] })
    })
  )
  const { pair } = await boards.plugIn('refused', (path) => thermostatOnPort(path, { connect: true, reportEveryMs: 60_000 }))
  await callApi(app, 'serial.watchPath', { path: pair.hostPath })
  await provision(app, thingName, async () => {
    await app.getByTestId('policy-mode-existing').click()
    await app.getByTestId('policy-name').click()
    await app.locator('.n-base-select-option', { hasText: 'publish-only' }).click()
  })

  const { section, error } = await writeAndFail(app, pair.hostPath, 'connect')
  await expect(section.getByTestId('device-write-step-commit')).toContainText('the device stored its new identity')
  await expect(error).toContainText('Failed at “The board connects with it”')
  await expect(error).toContainText(`DeviceConnectFailed: The device stored its new identity but could not connect to`)
  await expect(error).toContainText(`as ${thingName}:`)
  await expect(error).toContainText(`Check the board's network, and that the certificate is ACTIVE with a policy that allows iot:Connect for client id ${thingName}.`)
  await error.scrollIntoViewIfNeeded()
  await snap('wizard-serial-connect-failed')
})
