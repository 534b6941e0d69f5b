// @vitest-environment happy-dom
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { reportBackendLink } from '../../../../renderer/src/api/backendLink'
import { navigation } from '../../../../renderer/src/router'
import { useShortcutsStore } from '../../../../renderer/src/stores/useShortcutsStore'
import { startTestApi, type TestApi } from '../../../support/apiBackend'
import { mountApp, type MountedApp } from './mountApp'

// The app shell against the real back end, a fresh Pinia each: icons in the navigation, the
// app-wide keyboard shortcuts and their help, and the banner for a lost back end.
let t: TestApi
let app: MountedApp | undefined

beforeAll(async () => {
  t = await startTestApi()
})
afterAll(async () => {
  await t?.close()
})
afterEach(() => {
  app?.unmount()
  app = undefined
  reportBackendLink('connecting')
})

/** A key as the browser sends it (tinykeys reads key, code and the modifier state). */
function press(key: string, code: string, modifiers: { shift?: boolean; ctrl?: boolean } = {}): void {
  const target = document.activeElement ?? document.body
  target.dispatchEvent(new KeyboardEvent('keydown', { key, code, shiftKey: !!modifiers.shift, ctrlKey: !!modifiers.ctrl, bubbles: true }))
  target.dispatchEvent(new KeyboardEvent('keyup', { key, code, shiftKey: !!modifiers.shift, ctrlKey: !!modifiers.ctrl, bubbles: true }))
}

describe('the app shell', () => {
  it('shows an icon beside every navigation entry', async () => {
    app = await mountApp(t.api)
    for (const entry of navigation) {
      const item = app.byTestId(entry.testId).closest('.n-menu-item-content')
      expect(item?.querySelector('.n-menu-item-content__icon svg path'), `${entry.label} has an icon`).toBeTruthy()
    }
  })

  it('"?" lists every registered shortcut by scope, the open view’s included; the header shows the hint', async () => {
    app = await mountApp(t.api, '/mqtt')
    await app.waitFor(() => document.querySelector('[data-testid="mqtt-view"]') ?? document.querySelector('.mqtt'), 'the MQTT view')
    expect(app.byTestId('shortcuts-hint').textContent).toContain('Shortcuts')
    press('?', 'Slash', { shift: true })
    const help = await app.waitFor(() => document.querySelector<HTMLElement>('[data-testid="shortcuts-help"]'), 'the shortcuts help')
    const registered = useShortcutsStore().registered
    expect(new Set(registered.map((s) => s.scope)).size, 'the MQTT view registers shortcuts of its own').toBeGreaterThan(1)
    for (const shortcut of registered) {
      const scope = help.querySelector(`[data-testid="shortcuts-scope-${shortcut.scope}"]`)
      expect(scope?.textContent, `${shortcut.keys} under ${shortcut.scope}`).toContain(shortcut.description)
    }
    expect(help.textContent).toContain('g then c')
    expect(help.textContent).toContain('Ctrl+k')
  })

  it('"g" then a letter goes to Provision, Things, Shadows, MQTT and Connections', async () => {
    app = await mountApp(t.api)
    const targets = [
      ['c', 'KeyC', '/connections'],
      ['t', 'KeyT', '/things'],
      ['s', 'KeyS', '/shadow'],
      ['m', 'KeyM', '/mqtt'],
      ['p', 'KeyP', '/provision']
    ] as const
    for (const [key, code, path] of targets) {
      ;(document.activeElement as HTMLElement | null)?.blur?.()
      press('g', 'KeyG')
      press(key, code)
      await app.waitFor(() => app!.router.currentRoute.value.path.startsWith(path), `g ${key} to reach ${path} (at ${app!.router.currentRoute.value.fullPath})`)
    }
  })

  it('$mod+K focuses the go-to field, and choosing a view goes there', async () => {
    app = await mountApp(t.api)
    press('k', 'KeyK', { ctrl: true })
    await app.waitFor(() => app!.byTestId('go-to').contains(document.activeElement), 'the go-to field focused')
    const option = await app.waitFor(
      () => [...document.querySelectorAll<HTMLElement>('.n-base-select-option')].find((o) => o.textContent?.trim() === 'Connections'),
      'the Connections option'
    )
    option.click()
    await app.waitFor(() => app!.router.currentRoute.value.path === '/connections', 'the Connections view')
  })

  it('says when the back end is lost, and what to do', async () => {
    app = await mountApp(t.api)
    expect(document.querySelector('[data-testid="backend-lost-banner"]')).toBeNull()
    reportBackendLink('lost', 'WebSocket closed with code 1006')
    const banner = await app.waitFor(() => document.querySelector<HTMLElement>('[data-testid="backend-lost-banner"]'), 'the banner')
    expect(banner.textContent).toContain('Lost the connection to ThingBench')
    expect(banner.textContent).toContain('WebSocket closed with code 1006')
    expect(banner.textContent).toContain('npx thingbench serve')
    expect(app.byTestId('backend-lost-reload').textContent).toContain('Reload')
  })
})

describe('the Connections view', () => {
  it('shows the MQTT data endpoint, tests the connection in words, and the Local IoT Core’s endpoints and commands', async () => {
    app = await mountApp(t.api, '/connections')
    const details = await t.api.call('connections.localCore', {})
    const address = await app.waitFor(
      () => document.querySelector<HTMLElement>('[data-testid="connection-data-endpoint-local"] [data-testid="data-endpoint-address"]'),
      'the data endpoint'
    )
    expect(address.textContent).toBe(`${details.mqttHost}:${details.mqttPort}`)

    app.byTestId('connection-test-local').click()
    const checks = await app.waitFor(() => document.querySelector<HTMLElement>('[data-testid="connection-checks-local"]'), 'the checks')
    expect(app.byTestId('check-control-plane').textContent).toMatch(/✓\s+Control plane: works/)
    expect(app.byTestId('check-mqtt').textContent).toMatch(/✓\s+MQTT data endpoint: works/)
    expect(checks.textContent).not.toContain('failed')

    await app.waitFor(() => document.querySelector('[data-testid="local-core-control-plane"]'), 'the Local IoT Core details')
    expect(app.byTestId('local-core-control-plane').textContent).toContain(details.controlPlaneUrl)
    expect(app.byTestId('local-core-data-plane').textContent).toContain(details.dataPlaneUrl)
    expect(app.byTestId('local-core-mqtt').textContent).toContain(`${details.mqttHost}:${details.mqttPort}`)
    expect(app.byTestId('local-core-mqtt-wss').textContent).toContain(details.webSocketUrl)
    expect(app.byTestId('local-core-command-list-things').textContent).toContain(`aws iot list-things --endpoint-url ${details.controlPlaneUrl}`)
    expect(app.byTestId('local-core-command-mosquitto-sub').textContent).toContain('--cafile')
    // The secret is hidden until asked for, in its field and in the credentials block.
    const page = () => document.querySelector('[data-testid="local-core-details"]')!.textContent ?? ''
    expect(page()).not.toContain(details.secretAccessKey)
    app.byTestId('local-core-secret-toggle').click()
    await app.settle()
    expect(app.byTestId('local-core-secret').textContent).toBe(details.secretAccessKey)
    expect(app.byTestId('local-core-command-credentials').textContent).toContain(`AWS_SECRET_ACCESS_KEY=${details.secretAccessKey}`)
    // On Windows the same lines in PowerShell's words: $env: variables, `;` between commands.
    app.byTestId('local-core-shell-powershell').querySelector('input')!.click()
    await app.settle()
    expect(app.byTestId('local-core-command-credentials').textContent).toContain(`$env:AWS_SECRET_ACCESS_KEY = '${details.secretAccessKey}'`)
    expect(app.byTestId('local-core-command-get-thing-shadow').textContent).toContain('shadow.json; Get-Content shadow.json')
    expect(app.byTestId('local-core-command-mosquitto-sub').textContent).toContain(`-t '$aws/things/THING_NAME/shadow/update/documents'`)
  })
})
