// @vitest-environment happy-dom
import { UpdateThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTestApi, type TestApi } from '../../../support/apiBackend'
import { mountApp, type MountedApp } from '../shell/mountApp'

// The inspector view in the whole app against the real back end: a deep link opens a shadow, the
// trees show it live, and the thing's details lead to it.
let t: TestApi
let dataPlane: IoTDataPlaneClient
let app: MountedApp | undefined

beforeAll(async () => {
  t = await startTestApi()
  const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'thermostat-7' } })
  if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
  dataPlane = await t.session.deviceSide.dataPlane({ kind: 'local' })
  await dataPlane.send(new UpdateThingShadowCommand({ thingName: 'thermostat-7', payload: new TextEncoder().encode(JSON.stringify({ state: { reported: { temperature: 18 } } })) }))
}, 120_000)
afterEach(() => {
  app?.unmount()
  app = undefined
})
afterAll(async () => {
  await t?.close()
})

const row = (section: string, path: string) => document.querySelector<HTMLElement>(`[data-testid="shadow-tree-${section}"] [data-path="${path}"]`)

describe('the shadow inspector view', () => {
  it('opens the shadow a deep link names and marks what an outside update changed', async () => {
    app = await mountApp(t.api, '/shadow/thermostat-7')
    const reported = await app.waitFor(() => row('reported', 'reported.temperature'), 'the reported tree')
    expect(reported.textContent).toMatch(/^temperature\s*18\s*updated (just now|\d+ s ago)$/)
    expect(reported.dataset.changed).toBeUndefined()
    expect(app.byTestId('shadow-tree-delta').textContent).toMatch(/No delta/)
    expect(app.byTestId('shadow-presence').textContent).toMatch(/unknown/)

    await dataPlane.send(new UpdateThingShadowCommand({ thingName: 'thermostat-7', payload: new TextEncoder().encode(JSON.stringify({ state: { desired: { temperature: 21 } } })) }))
    const desired = await app.waitFor(() => row('desired', 'desired.temperature'), 'the desired change')
    expect(desired.dataset.changed).toBe('true')
    expect(row('delta', 'desired.temperature')?.textContent).toMatch(/21/)
    expect(row('reported', 'reported.temperature')?.dataset.changed).toBeUndefined()
    expect(app.byTestId('shadow-size').textContent).toBe(`${'{"temperature":21}'.length + '{"temperature":18}'.length} of 8192 bytes`)
  })

  it('is reached from the thing details and from the navigation with a thing picker', async () => {
    app = await mountApp(t.api, '/things')
    await app.waitFor(() => [...document.querySelectorAll('td')].find((cell) => cell.textContent === 'thermostat-7'), 'the thing row').then((cell) => cell.click())
    ;(await app.waitFor(() => document.querySelector<HTMLElement>('[data-testid="thing-open-shadow"]'), 'the Open shadow button')).click()
    await app.waitFor(() => app!.router.currentRoute.value.fullPath === '/shadow/thermostat-7', 'the inspector route')
    await app.waitFor(() => row('reported', 'reported.temperature'), 'the shadow')

    app.byTestId('nav-shadows').click()
    await app.waitFor(() => document.querySelector('[data-testid="shadow-choose-thing"]'), 'the thing picker prompt')
  })
})
