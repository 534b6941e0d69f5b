import { join } from 'node:path'
import { DescribeThingCommand } from '@aws-sdk/client-iot'
import { thermostatOnPort } from '../devices/thermostat/onPort'
import { callApi } from './callApi'
import { expect, test } from './fixtures'
import { chooseBoardPort, fillDevice, next, runAndWait, startWizard } from './wizard'

// Many JSON-lines boards in a row: the first is provisioned in the wizard and its identity written
// over the cable; each board plugged in afterwards is offered "Provision this device" with the
// same choices under the batch's next name, and two run side by side to a connected board.

const thermostat = (path: string) => thermostatOnPort(path, { connect: true, reportEveryMs: 60_000 })

test('after the wizard wrote one board (with the bench Wi-Fi), two new ports are offered the same provisioning under the next names, and both boards end connected on that network', async ({ app, iot, snap, boards }) => {
  const first = await boards.plugIn('lamp-a', thermostat)
  await callApi(app, 'serial.watchPath', { path: first.pair.hostPath })
  await startWizard(app)
  await fillDevice(app, 'lamp-0041', { site: 'bench-3' })
  await next(app, 'identity')
  await next(app, 'policy')
  await next(app, 'groups')
  await next(app, 'review')
  expect(await runAndWait(app)).toBe('provisioned')
  const section = await chooseBoardPort(app, first.pair.hostPath)
  // The bench's Wi-Fi goes with the identity, to firmware that takes it (the simulator lists "wifi").
  await section.getByTestId('device-write-wifi-ssid').locator('input').fill('bench-wifi')
  await section.getByTestId('device-write-wifi-passphrase').locator('input').fill('bench-passphrase-5')
  await section.getByTestId('device-write-confirm').click()
  await section.getByTestId('device-write-start').click()
  await expect(section.getByTestId('device-write-connected')).toBeVisible({ timeout: 30_000 })
  await expect(section.getByTestId('device-write-step-wifiPassphrase')).toContainText('18 characters, not shown')

  // Two more boards on the bench: their ports are watched before they exist, as USB ports before their boards.
  await app.getByTestId('nav-serial').click()
  const paths = [join(boards.folder, 'lamp-b-host'), join(boards.folder, 'lamp-c-host')]
  for (const path of paths) {
    await app.getByTestId('serial-add-path').locator('input').fill(path)
    await app.getByTestId('serial-add-path-button').click()
  }
  await boards.plugIn('lamp-b', thermostat)
  await boards.plugIn('lamp-c', thermostat)
  const offerOn = (path: string) => app.locator(`[data-testid="onboarding-offer"][data-port="${path}"]`)
  for (const path of paths) {
    await expect(offerOn(path)).toHaveAttribute('data-kind', 'jsonLines')
    await expect(offerOn(path)).toContainText('1 attribute')
    await expect(offerOn(path)).toContainText('key made here, certificate signed by AWS, Wi-Fi bench-wifi')
    // Typed in this window already: not asked again.
    await expect(offerOn(path).getByTestId('onboarding-offer-passphrase')).toHaveCount(0)
  }
  // Each offer names the board's own thing: the batch's next two, in order.
  await expect(offerOn(paths[0]!).getByTestId('onboarding-offer-thing')).toHaveText('lamp-0042')
  await expect(offerOn(paths[1]!).getByTestId('onboarding-offer-thing')).toHaveText('lamp-0043')
  await snap('board-offers')
  // Out of order on purpose: each board gets the name its offer showed.
  for (const path of [...paths].reverse()) await offerOn(path).getByTestId('onboarding-offer-accept').click()
  await expect(app.getByTestId('onboarding-offer')).toHaveCount(0)

  const flows = paths.map((path) => app.locator(`[data-testid="board-flow"][data-port="${path}"]`))
  for (const flow of flows) await expect(flow).toHaveAttribute('data-phase', 'connected', { timeout: 30_000 })
  await expect(flows[0]!.getByTestId('board-connected')).toContainText('lamp-0042 is provisioned')
  await expect(flows[1]!.getByTestId('board-connected')).toContainText('lamp-0043 is provisioned')
  for (const flow of flows) {
    await expect(flow.getByTestId('board-run-step-createThing')).toHaveAttribute('data-status', 'done')
    for (const step of ['hello', 'endpoint', 'thingName', 'certificate', 'privateKey', 'rootCa', 'wifiSsid', 'wifiPassphrase', 'commit', 'connect'])
      await expect(flow.getByTestId(`board-write-step-${step}`)).toHaveAttribute('data-status', 'done')
    await expect(flow).not.toContainText('PRIVATE KEY')
    await expect(flow).not.toContainText('bench-passphrase-5')
  }
  await snap('board-flows-connected')
  for (const thingName of ['lamp-0042', 'lamp-0043'])
    expect((await iot.send(new DescribeThingCommand({ thingName }))).attributes).toEqual({ site: 'bench-3' })

  // The board's shadow is one click away; its own connection reported there.
  await flows[0]!.getByTestId('board-open-shadow').click()
  await expect(app.getByTestId('shadow-tree-reported')).toContainText('temperature', { timeout: 15_000 })
})
