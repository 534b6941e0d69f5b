// @vitest-environment happy-dom
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTestApi, type TestApi } from '../../../support/apiBackend'
import { navigation } from '../../../../renderer/src/router'
import { mountApp, type MountedApp } from './mountApp'

// The shell against the real back end: navigation, the theme, and the connection switcher.
let t: TestApi
let awsDir: string
let app: MountedApp | undefined

beforeAll(async () => {
  // One AWS profile, so the switcher has something besides the Local IoT Core.
  awsDir = await mkdtemp(join(tmpdir(), 'tb-aws-'))
  await writeFile(join(awsDir, 'config'), '[profile bench]\nregion = eu-west-1\n\n[profile roaming]\noutput = json\n')
  await writeFile(join(awsDir, 'credentials'), '[bench]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n')
  delete process.env.AWS_REGION
  delete process.env.AWS_DEFAULT_REGION
  process.env.AWS_CONFIG_FILE = join(awsDir, 'config')
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(awsDir, 'credentials')
  t = await startTestApi()
})
afterAll(async () => {
  await t?.close()
  await rm(awsDir, { recursive: true, force: true })
})
afterEach(async () => {
  app?.unmount()
  app = undefined
  localStorage.clear()
  await t.api.call('connections.select', { id: 'local' })
})

describe('the shell', () => {
  it('offers every area in the side navigation and opens the one clicked', async () => {
    app = await mountApp(t.api)
    const links = navigation.map((n) => app!.byTestId(n.testId))
    expect(links.map((l) => l.textContent?.trim())).toEqual(['Provision', 'Things', 'Groups', 'Policies', 'Certificates', 'Thing types', 'Shadows', 'MQTT', 'Serial', 'Connections'])
    expect(app.byTestId('wizard-step-device')).toBeTruthy()

    app.byTestId('nav-connections').click()
    const view = await app.waitFor(() => document.querySelector('[data-testid="connections-view"]'), 'the connections view')
    expect(app.router.currentRoute.value.path).toBe('/connections')
    await app.waitFor(() => view.textContent?.includes('AWS profile bench'), 'the profile in the list')
    expect(app.byTestId('connection-local').textContent).toContain('Active')
  })

  it('switches between light and dark and remembers the choice', async () => {
    app = await mountApp(t.api)
    const toggle = app.byTestId('theme-toggle')
    const before = toggle.dataset.theme
    expect(before).toBe('light') // happy-dom reports no dark OS preference
    toggle.click()
    await app.settle()
    expect(app.byTestId('theme-toggle').dataset.theme).toBe('dark')
    expect(localStorage.getItem('thingbench.theme')).toBe('dark')
    app.unmount()

    // A new start (fresh Pinia) comes back dark.
    app = await mountApp(t.api)
    expect(app.byTestId('theme-toggle').dataset.theme).toBe('dark')
  })

  it('shows the active connection and switches to an AWS profile', async () => {
    app = await mountApp(t.api)
    const switcher = await app.waitFor(
      () => (app!.byTestId('connection-switcher').textContent?.includes('Local IoT Core') ? app!.byTestId('connection-switcher') : null),
      'the active connection in the switcher'
    )
    switcher.querySelector<HTMLElement>('.n-base-selection')!.click()
    const option = await app.waitFor(
      () => [...document.querySelectorAll<HTMLElement>('.n-base-select-option')].find((o) => o.textContent?.includes('AWS profile bench')),
      'the profile option'
    )
    expect(option.textContent).toContain('eu-west-1')
    option.click()
    await app.waitFor(() => app!.byTestId('connection-switcher').textContent?.includes('AWS profile bench'), 'the profile as the active connection')
    expect((await t.api.call('connections.list', {})).active.id).toBe('profile:bench')
  })

  it('follows a connection switched elsewhere (another window, the menu)', async () => {
    app = await mountApp(t.api)
    await app.waitFor(() => app!.byTestId('connection-switcher').textContent?.includes('Local IoT Core'), 'the local connection')
    await t.api.call('connections.select', { id: 'profile:bench' })
    await app.waitFor(() => app!.byTestId('connection-switcher').textContent?.includes('AWS profile bench'), 'the switch to show')
  })

  it('says why a connection cannot be used, with the error’s name, and keeps the active one', async () => {
    app = await mountApp(t.api, '/connections')
    const use = await app.waitFor(() => document.querySelector<HTMLElement>('[data-testid="connection-use-profile:roaming"]'), 'the roaming profile')
    use.click()
    const shown = await app.waitFor(
      () => [...document.querySelectorAll('[role="alert"], .n-message')].find((e) => e.textContent?.includes('MissingRegion: ')),
      'the refusal'
    )
    expect(shown.textContent).toContain('roaming')
    expect(app.byTestId('connection-local').textContent).toContain('Active')
    expect((await t.api.call('connections.list', {})).active.id).toBe('local')
  })
})
