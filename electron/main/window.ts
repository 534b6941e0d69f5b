import { BrowserWindow, shell } from 'electron'
import { appUrl as resolveAppUrl, contentSecurityPolicy, externalLinkDecision, isAppUrl, navigationAllowed, secureWebPreferences } from './securityPolicy'

export interface MainWindowOptions {
  preloadPath: string
  rendererIndexPath: string
  /** PNG for the title bar and task bar. */
  iconPath?: string
  /** ELECTRON_RENDERER_URL in `electron-vite dev`. */
  devServerUrl?: string
}

/**
 * The app's one window with secure defaults (research/electron-hazards.md §5): sandboxed,
 * isolated, no Node; a strict CSP; no navigation away, no new windows (https links go to the
 * system browser); every permission request denied.
 */
export function createMainWindow(options: MainWindowOptions): { window: BrowserWindow; appUrl: string } {
  const appUrl = resolveAppUrl(options.rendererIndexPath, options.devServerUrl)
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'ThingBench',
    ...(options.iconPath ? { icon: options.iconPath } : {}),
    webPreferences: secureWebPreferences(options.preloadPath)
  })
  const { webContents } = window
  const session = webContents.session

  const csp = contentSecurityPolicy(options.devServerUrl)
  session.webRequest.onHeadersReceived((details, callback) => {
    if (details.resourceType !== 'mainFrame' || !isAppUrl(details.url, appUrl)) return callback({})
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } })
  })
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler(() => false)

  webContents.on('will-navigate', (event, url) => {
    if (!navigationAllowed(url, appUrl)) event.preventDefault()
  })
  webContents.on('will-redirect', (event, url) => {
    if (!navigationAllowed(url, appUrl)) event.preventDefault()
  })
  webContents.on('will-attach-webview', (event) => event.preventDefault())
  webContents.setWindowOpenHandler(({ url }) => {
    if (externalLinkDecision(url) === 'open-externally') void shell.openExternal(url)
    return { action: 'deny' }
  })

  window.once('ready-to-show', () => window.show())
  if (options.devServerUrl) void window.loadURL(appUrl)
  else void window.loadFile(options.rendererIndexPath)
  return { window, appUrl }
}
