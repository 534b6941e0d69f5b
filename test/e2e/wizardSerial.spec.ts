import { thermostatOnPort } from '../devices/thermostat/onPort'
import { callApi } from './callApi'
import { expect, test } from './fixtures'
import { chooseBoardPort, fillDevice, next, runAndWait, startWizard } from './wizard'

// The wizard's optional last step: a thing provisioned with a local key, written over a socat pty to
// the JSON-lines thermostat simulator, which connects to the Local IoT Core with it and reports.

test('provision in the wizard, then write the identity to the board on a pty: each step shown, and the board connected', async ({ app, snap, boards }) => {
  const thingName = 'wizard-serial-thermo'
  const { pair } = await boards.plugIn('thermostat', (path) => thermostatOnPort(path, { connect: true, reportEveryMs: 60_000 }))
  // A pty is never in the OS list: the technician adds its path once (the Serial view does the same).
  await callApi(app, 'serial.watchPath', { path: pair.hostPath })

  await startWizard(app)
  await fillDevice(app, thingName)
  await next(app, 'identity')
  await next(app, 'policy')
  await next(app, 'groups')
  await next(app, 'review')
  expect(await runAndWait(app)).toBe('provisioned')

  const section = await chooseBoardPort(app, pair.hostPath)
  const write = section.getByTestId('device-write-start')
  // Nothing leaves the vault until the user says so.
  await expect(write).toBeDisabled()
  await section.getByTestId('device-write-confirm').click()
  await expect(write).toBeEnabled()
  await snap('wizard-serial-confirm')

  await write.click()
  await expect(section.getByTestId('device-write-connected')).toContainText(`The board is connected as ${thingName}`, { timeout: 30_000 })
  for (const step of ['hello', 'endpoint', 'thingName', 'certificate', 'privateKey', 'rootCa', 'commit', 'connect'])
    await expect(section.getByTestId(`device-write-step-${step}`)).toHaveAttribute('data-status', 'done')
  await expect(section.getByTestId('device-write-step-privateKey')).toContainText('characters, not shown')
  await expect(section).not.toContainText('PRIVATE KEY')
  await section.getByTestId('device-write-connected').scrollIntoViewIfNeeded()
  await snap('wizard-serial-connected')

  // The board's own MQTT connection reported to its shadow.
  await expect(async () => {
    const shadow = (await callApi(app, 'shadow.get', { thingName })) as { state: { reported?: { temperature?: unknown } } }
    expect(typeof shadow.state.reported?.temperature).toBe('number')
  }).toPass({ timeout: 15_000 })
})
