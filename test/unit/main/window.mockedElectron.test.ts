import { describe, expect, it, vi } from 'vitest'

// electron/main/window.ts with a MOCKED Electron (no binary here): BrowserWindow, its session and
// shell are stand-ins recording the options and handlers the window is given.

const electron = vi.hoisted(() => {
  const on = new Map<string, (...args: unknown[]) => void>()
  const state = {
    options: undefined as unknown as { webPreferences: Record<string, unknown> },
    on,
    openHandler: undefined as unknown as (details: { url: string }) => { action: string },
    headersListener: undefined as unknown as (details: Record<string, unknown>, callback: (response: Record<string, unknown>) => void) => void,
    permissionRequest: undefined as unknown as (wc: unknown, permission: string, callback: (granted: boolean) => void) => void,
    permissionCheck: undefined as unknown as (...args: unknown[]) => boolean,
    deviceCheck: undefined as unknown as (...args: unknown[]) => boolean,
    loaded: [] as string[],
    openExternal: vi.fn(async () => {})
  }
  class BrowserWindow {
    webContents = {
      on: (event: string, listener: (...args: unknown[]) => void) => on.set(event, listener),
      setWindowOpenHandler: (handler: typeof state.openHandler) => (state.openHandler = handler),
      session: {
        webRequest: { onHeadersReceived: (listener: typeof state.headersListener) => (state.headersListener = listener) },
        setPermissionRequestHandler: (handler: typeof state.permissionRequest) => (state.permissionRequest = handler),
        setPermissionCheckHandler: (handler: typeof state.permissionCheck) => (state.permissionCheck = handler),
        setDevicePermissionHandler: (handler: typeof state.deviceCheck) => (state.deviceCheck = handler)
      }
    }
    constructor(options: typeof state.options) {
      state.options = options
    }
    once() {}
    loadFile(path: string) {
      state.loaded.push(path)
      return Promise.resolve()
    }
    loadURL(url: string) {
      state.loaded.push(url)
      return Promise.resolve()
    }
  }
  return { state, module: { BrowserWindow, shell: { openExternal: state.openExternal } } }
})
vi.mock('electron', () => electron.module)

const { createMainWindow } = await import('../../../electron/main/window')
const { state } = electron
const { appUrl } = createMainWindow({ preloadPath: '/app/out/preload/index.cjs', rendererIndexPath: '/app/out/renderer/index.html', iconPath: '/app/resources/build/icon-512.png' })

describe('main window (mocked Electron BrowserWindow, session and shell)', () => {
  it('is sandboxed, isolated and without Node, and loads the built page', () => {
    expect(state.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, preload: '/app/out/preload/index.cjs' })
    expect(state.loaded).toEqual(['/app/out/renderer/index.html'])
    expect(appUrl).toBe('file:///app/out/renderer/index.html')
  })

  it('shows the app icon it is given', () => {
    expect((state.options as { icon?: string }).icon).toBe('/app/resources/build/icon-512.png')
  })

  it('adds the CSP header to the app’s page only', () => {
    const answers: Array<Record<string, unknown>> = []
    state.headersListener({ url: appUrl, resourceType: 'mainFrame', responseHeaders: {} }, (r) => answers.push(r))
    state.headersListener({ url: 'https://example.com/x.png', resourceType: 'image', responseHeaders: {} }, (r) => answers.push(r))
    expect((answers[0]!.responseHeaders as Record<string, string[]>)['Content-Security-Policy']![0]).toMatch(/script-src 'self'/)
    expect(answers[1]).toEqual({})
  })

  it('denies every permission request and check (camera, serial, notifications ...)', () => {
    const granted: boolean[] = []
    for (const permission of ['media', 'serial', 'notifications', 'geolocation']) state.permissionRequest({}, permission, (g) => granted.push(g))
    expect(granted).toEqual([false, false, false, false])
    expect(state.permissionCheck({}, 'serial')).toBe(false)
    expect(state.deviceCheck({ deviceType: 'serial' })).toBe(false)
  })

  it('prevents navigation away from the app and attaching webviews', () => {
    const prevented: string[] = []
    const event = (name: string) => ({ preventDefault: () => prevented.push(name) })
    state.on.get('will-navigate')!(event('elsewhere'), 'https://attacker.example/')
    state.on.get('will-navigate')!(event('reload'), appUrl)
    state.on.get('will-redirect')!(event('redirect'), 'file:///etc/passwd')
    state.on.get('will-attach-webview')!(event('webview'))
    expect(prevented).toEqual(['elsewhere', 'redirect', 'webview'])
  })

  it('opens no window: https links go to the system browser, the rest nowhere', () => {
    expect(state.openHandler({ url: 'https://docs.aws.amazon.com/iot/' })).toEqual({ action: 'deny' })
    expect(state.openHandler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(state.openHandler({ url: 'http://example.com/' })).toEqual({ action: 'deny' })
    expect(state.openExternal).toHaveBeenCalledTimes(1)
    expect(state.openExternal).toHaveBeenCalledWith('https://docs.aws.amazon.com/iot/')
  })
})
