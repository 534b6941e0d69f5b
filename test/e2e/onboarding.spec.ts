import { join } from 'node:path'
import { CreateThingGroupCommand, ListCertificatesCommand, ListThingGroupsForThingCommand, ListThingsCommand } from '@aws-sdk/client-iot'
import type { Locator, Page } from '@playwright/test'
import { onboardingSteps } from '../../electron/contract/onboarding'
import { benchWifi, presetConfig } from '../devices/expresslink/config'
import { expressLinkOnPort } from '../devices/expresslink/onPort'
import { expect, test, type Boards } from './fixtures'

// ExpressLink onboarding from the Serial view in browser mode against `thingbench serve` and the
// Local IoT Core: the simulated module on a real socat pty, onboarded step by step, its shadow
// opened in the inspector; then two more boards plugged in are offered "Provision this device"
// with the same choices and onboard side by side.

/** A simulated ExpressLink module (its Wi-Fi set unless `wifi` is false), plugged in on `<boards.folder>/<name>-host`. */
async function plugInModule(boards: Boards, name: string, wifi = true): Promise<{ hostPath: string; thingName: string }> {
  const stateDir = join(boards.folder, `${name}-state`)
  presetConfig(stateDir, wifi ? benchWifi : {})
  const { pair, board } = await boards.plugIn(name, (path) => expressLinkOnPort(path, { stateDir, backoffMs: 0 }))
  return { hostPath: pair.hostPath, thingName: board.module.thingName }
}

async function addPath(app: Page, path: string): Promise<void> {
  await app.getByTestId('serial-add-path').locator('input').fill(path)
  await app.getByTestId('serial-add-path-button').click()
  await expect(app.getByTestId('serial-port-path').getByText(path, { exact: true })).toBeVisible()
}

const flowOn = (app: Page, path: string): Locator => app.locator(`[data-testid="onboarding-flow"][data-port="${path}"]`)

/** Every step done, but `skipped` (what the account already had). */
async function expectOnboarded(flow: Locator, thingName: string, skipped: string[] = []): Promise<void> {
  await expect(flow).toHaveAttribute('data-outcome', 'onboarded', { timeout: 30_000 })
  for (const step of onboardingSteps) await expect(flow.getByTestId(`onboarding-step-${step}`), step).toHaveAttribute('data-status', skipped.includes(step) ? 'skipped' : 'done')
  await expect(flow.getByTestId('onboarding-thing')).toHaveText(thingName)
}

test('an ExpressLink module on a pty is onboarded from the Serial view step by step, its shadow opens in the inspector, and new boards are offered the same onboarding', async ({ app, iot, sandbox, snap, boards }) => {
  void sandbox
  await iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-1' }))
  // Out of the box, as modules come: no Wi-Fi set. The flow gives each the bench network.
  const first = await plugInModule(boards, 'board-a', false)

  await app.getByTestId('nav-serial').click()
  await addPath(app, first.hostPath)
  // A port nobody has onboarded from yet is not offered anything: the offer follows a first onboarding.
  await expect(app.getByTestId('onboarding-offer')).toHaveCount(0)
  const row = app.getByTestId('serial-ports').locator('tr', { has: app.getByTestId('serial-port-path').getByText(first.hostPath, { exact: true }) })
  await row.getByTestId('serial-onboard').click()
  const flow = flowOn(app, first.hostPath)
  await expect(flow).toHaveAttribute('data-outcome', 'ready')

  // The group picker lists the account's groups.
  await flow.getByTestId('onboarding-group').click()
  await app.locator('.n-base-select-option', { hasText: 'line-1' }).click()
  await flow.getByTestId('onboarding-wifi-ssid').locator('input').fill(benchWifi.SSID)
  const passphrase = flow.getByTestId('onboarding-wifi-passphrase').locator('input')
  await passphrase.fill(benchWifi.Passphrase)
  await expect(passphrase).toHaveAttribute('type', 'password')
  await snap('onboarding-ready')
  await flow.getByTestId('onboarding-start').click()

  await expectOnboarded(flow, first.thingName)
  await expect(flow.getByTestId('onboarding-step-createThing')).toContainText(first.thingName)
  await expect(flow.getByTestId('onboarding-step-addToGroup')).toContainText('line-1')
  await expect(flow.getByTestId('onboarding-step-setWifi')).toContainText(`SSID ${benchWifi.SSID}, passphrase of ${benchWifi.Passphrase.length} characters (not shown)`)
  await expect(flow.getByTestId('onboarding-wifi')).toHaveText(benchWifi.SSID)
  await expect(flow).not.toContainText(benchWifi.Passphrase)
  await expect(flow.getByTestId('onboarding-certificate')).toHaveText(/^[0-9a-f]{64}$/)
  await expect(flow.getByTestId('onboarding-endpoint')).toHaveText(/^[\w.-]+:\d+$/)
  await expect(flow.getByTestId('onboarding-module-time')).toHaveText(/^\d+\.\d s of \d+\.\d s \(\d+%\)$/)
  await expect(flow.getByTestId('onboarding-shadow')).toContainText('onboardedAt')
  await expect(flow.getByTestId('onboarding-failure')).toHaveCount(0)
  // The port is free again for the monitor once the flow is over.
  await expect(row).not.toContainText('ExpressLink onboarding')
  await snap('onboarding-done')
  expect((await iot.send(new ListThingGroupsForThingCommand({ thingName: first.thingName }))).thingGroups?.map((g) => g.groupName)).toEqual(['line-1'])

  // Two more boards on a bench: each new port is offered the last choices, and both run at once.
  const paths = [join(boards.folder, 'board-b-host'), join(boards.folder, 'board-c-host')]
  for (const path of paths) await addPath(app, path) // watched before they exist, as a USB port before its board
  const second = await plugInModule(boards, 'board-b', false)
  const third = await plugInModule(boards, 'board-c', false)
  for (const path of paths) {
    const offer = app.locator(`[data-testid="onboarding-offer"][data-port="${path}"]`)
    await expect(offer).toBeVisible()
    await expect(offer).toContainText('group line-1')
    await expect(offer).toContainText(`Wi-Fi ${benchWifi.SSID}`)
  }
  await snap('onboarding-offers')
  for (const path of paths) await app.locator(`[data-testid="onboarding-offer"][data-port="${path}"]`).getByTestId('onboarding-offer-accept').click()
  await expect(app.getByTestId('onboarding-offer')).toHaveCount(0)
  // The shared policy the first board's run made is attached as it is.
  await expectOnboarded(flowOn(app, second.hostPath), second.thingName, ['createPolicy'])
  await expectOnboarded(flowOn(app, third.hostPath), third.thingName, ['createPolicy'])
  await expect(flowOn(app, third.hostPath).getByTestId('onboarding-step-createPolicy')).toContainText('ThingBench-ExpressLink exists')
  for (const thingName of [second.thingName, third.thingName])
    expect((await iot.send(new ListThingGroupsForThingCommand({ thingName }))).thingGroups?.map((g) => g.groupName)).toEqual(['line-1'])
  await snap('onboarding-many')

  // The first module's shadow, one click away, shows what the module reported through its own connection.
  await flow.getByTestId('onboarding-open-shadow').click()
  await expect(app).toHaveURL(new RegExp(`#/shadow/${first.thingName}$`))
  await expect(app.getByTestId('shadow-view')).toHaveAttribute('data-watch-state', 'watching')
  await expect(app.getByTestId('shadow-tree-reported')).toContainText('onboardedAt')
  await snap('onboarding-shadow')
})

test('a module that cannot connect (no Wi-Fi set) fails at connect with its reason in words, and the undo of everything the run made is shown', async ({ app, iot, sandbox, snap, boards }) => {
  void sandbox
  const board = await plugInModule(boards, 'board-nowifi', false)
  await app.getByTestId('nav-serial').click()
  await addPath(app, board.hostPath)
  const row = app.getByTestId('serial-ports').locator('tr', { has: app.getByTestId('serial-port-path').getByText(board.hostPath, { exact: true }) })
  await row.getByTestId('serial-onboard').click()
  const flow = flowOn(app, board.hostPath)
  await flow.getByTestId('onboarding-start').click()

  await expect(flow).toHaveAttribute('data-outcome', 'rolledBack', { timeout: 30_000 })
  await expect(flow.getByTestId('onboarding-step-connect')).toHaveAttribute('data-status', 'failed')
  await expect(flow.getByTestId('onboarding-step-verifyShadow')).toHaveAttribute('data-status', 'pending')
  // What the run had made is marked undone, not left looking done.
  await expect(flow.getByTestId('onboarding-step-createThing')).toContainText('undone')
  await expect(flow.getByTestId('onboarding-start')).toHaveText('Try again')
  const failure = flow.getByTestId('onboarding-failure')
  await expect(failure).toContainText('Failed at “Connect the module”')
  await expect(failure).toContainText('could not join the network: for Wi-Fi, give it the SSID and passphrase')
  // The module's endpoint is put back, and every AWS write undone.
  const undone = failure.getByTestId('onboarding-undo')
  for (const action of ['AT+CONF Endpoint=', 'DetachPolicy', 'DeletePolicy', 'DetachThingPrincipal', 'DeleteThing', 'DeleteCertificate']) await expect(undone.filter({ hasText: action }).first()).toHaveAttribute('data-status', 'done')
  await expect(failure.getByTestId('onboarding-rolled-back')).toBeVisible()
  await expect(flow.getByTestId('onboarding-done')).toHaveCount(0)
  await snap('onboarding-failed')
  expect((await iot.send(new ListThingsCommand({}))).things).toEqual([])
  expect((await iot.send(new ListCertificatesCommand({}))).certificates).toEqual([])
})
