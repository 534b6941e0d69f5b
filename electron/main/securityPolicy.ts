import { pathToFileURL } from 'node:url'

// The window's security decisions as pure functions (no Electron import), so they are unit-tested
// without an Electron binary. window.ts and ipc.ts apply them.

/** Electron's secure defaults, spelled out so a template or an upgrade cannot quietly loosen them. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true
  } as const
}

/**
 * The CSP for the app's pages. Production loads from file:// (the index.html meta tag applies there
 * too); the dev server needs its own origin and its HMR WebSocket.
 */
export function contentSecurityPolicy(devServerUrl?: string): string {
  let self = "'self'"
  let connect = "'self'"
  if (devServerUrl) {
    const dev = new URL(devServerUrl)
    self = `'self' ${dev.origin}`
    connect = `'self' ${dev.origin} ${dev.protocol === 'https:' ? 'wss:' : 'ws:'}//${dev.host}`
  }
  return [
    "default-src 'none'",
    `script-src ${self}`,
    // naive-ui and CodeMirror inject <style> elements at run time.
    `style-src ${self} 'unsafe-inline'`,
    `img-src ${self} data:`,
    `font-src ${self} data:`,
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'"
  ].join('; ')
}

/** The URL the window loads: the dev server in `electron-vite dev`, else the built index.html. */
export function appUrl(rendererIndexPath: string, devServerUrl?: string): string {
  return devServerUrl ? new URL(devServerUrl).href : pathToFileURL(rendererIndexPath).href
}

/** Whether a URL is one of the app's own pages (same dev-server origin, or the same index.html file). */
export function isAppUrl(url: string, app: string): boolean {
  let candidate: URL
  let own: URL
  try {
    candidate = new URL(url)
    own = new URL(app)
  } catch {
    return false
  }
  if (own.protocol === 'file:') return candidate.protocol === 'file:' && candidate.host === own.host && candidate.pathname === own.pathname
  return candidate.origin === own.origin
}

export interface SenderFacts {
  /** senderFrame.url (absent when the frame is gone). */
  frameUrl: string | undefined
  /** The frame is its page's main frame (not an iframe). */
  isMainFrame: boolean
  /** The call came from our window's webContents. */
  sameWebContents: boolean
}

/** IPC is accepted only from the main frame of our own window, showing one of the app's pages. */
export function isTrustedSender(sender: SenderFacts, app: string): boolean {
  return sender.sameWebContents && sender.isMainFrame && sender.frameUrl !== undefined && isAppUrl(sender.frameUrl, app)
}

/** What to do with a link the page tries to open: https goes to the system browser, the rest is denied. */
export function externalLinkDecision(url: string): 'open-externally' | 'deny' {
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== 'https:' || !parsed.hostname || parsed.username || parsed.password) return 'deny'
    return 'open-externally'
  } catch {
    return 'deny'
  }
}

/** In-window navigation: only within the app's own page (e.g. a reload); everything else is denied. */
export function navigationAllowed(url: string, app: string): boolean {
  return isAppUrl(url, app)
}
