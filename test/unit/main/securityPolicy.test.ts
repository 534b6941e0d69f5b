import { describe, expect, it } from 'vitest'
import {
  appUrl,
  contentSecurityPolicy,
  externalLinkDecision,
  isAppUrl,
  isTrustedSender,
  navigationAllowed,
  secureWebPreferences
} from '../../../electron/main/securityPolicy'

// The window's security decisions (electron/main/securityPolicy.ts), pure: no Electron needed.

const builtApp = appUrl('/opt/ThingBench/resources/app.asar/out/renderer/index.html')
const devApp = appUrl('/ignored/index.html', 'http://localhost:5173/')

describe('secureWebPreferences', () => {
  it('keeps the renderer sandboxed and isolated, without Node, with web security on', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs')
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false
    })
  })
})

describe('contentSecurityPolicy', () => {
  const directives = (csp: string) => Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]))

  it('allows scripts and connections only from the app itself in production', () => {
    const csp = directives(contentSecurityPolicy())
    expect(csp['default-src']).toEqual(["'none'"])
    expect(csp['script-src']).toEqual(["'self'"])
    expect(csp['connect-src']).toEqual(["'self'"])
    expect(csp['object-src']).toEqual(["'none'"])
    expect(csp['frame-ancestors']).toEqual(["'none'"])
    expect(contentSecurityPolicy()).not.toMatch(/unsafe-eval/)
    expect(csp['script-src']).not.toContain("'unsafe-inline'")
  })

  it('lets the dev server and its hot-reload socket in, and nothing more, in development', () => {
    const csp = directives(contentSecurityPolicy('http://localhost:5173/'))
    expect(csp['script-src']).toEqual(["'self'", 'http://localhost:5173'])
    expect(csp['connect-src']).toEqual(["'self'", 'http://localhost:5173', 'ws://localhost:5173'])
  })
})

describe('isAppUrl', () => {
  it('matches the built index.html whatever its hash route, and nothing else on disk', () => {
    expect(builtApp).toBe('file:///opt/ThingBench/resources/app.asar/out/renderer/index.html')
    expect(isAppUrl(`${builtApp}#/things`, builtApp)).toBe(true)
    expect(isAppUrl('file:///opt/ThingBench/resources/app.asar/out/renderer/other.html', builtApp)).toBe(false)
    expect(isAppUrl('file:///tmp/evil/index.html', builtApp)).toBe(false)
    expect(isAppUrl('https://example.com/index.html', builtApp)).toBe(false)
    expect(isAppUrl('not a url', builtApp)).toBe(false)
  })

  it('matches the dev server by origin', () => {
    expect(isAppUrl('http://localhost:5173/#/provision', devApp)).toBe(true)
    expect(isAppUrl('http://localhost:5174/', devApp)).toBe(false)
    expect(isAppUrl('http://127.0.0.1:5173/', devApp)).toBe(false)
  })
})

describe('isTrustedSender (the IPC sender check)', () => {
  const trusted = { frameUrl: `${builtApp}#/provision`, isMainFrame: true, sameWebContents: true }

  it('accepts the main frame of our window showing the app', () => {
    expect(isTrustedSender(trusted, builtApp)).toBe(true)
  })

  it('refuses an iframe, another window, a foreign page, and a frame that is gone', () => {
    expect(isTrustedSender({ ...trusted, isMainFrame: false }, builtApp)).toBe(false)
    expect(isTrustedSender({ ...trusted, sameWebContents: false }, builtApp)).toBe(false)
    expect(isTrustedSender({ ...trusted, frameUrl: 'https://attacker.example/' }, builtApp)).toBe(false)
    expect(isTrustedSender({ ...trusted, frameUrl: 'file:///home/user/Downloads/index.html' }, builtApp)).toBe(false)
    expect(isTrustedSender({ ...trusted, frameUrl: undefined }, builtApp)).toBe(false)
  })

  it('accepts the dev server page in development only', () => {
    expect(isTrustedSender({ ...trusted, frameUrl: 'http://localhost:5173/#/things' }, devApp)).toBe(true)
    expect(isTrustedSender({ ...trusted, frameUrl: 'http://localhost:5173/#/things' }, builtApp)).toBe(false)
  })
})

describe('externalLinkDecision', () => {
  it('sends https links to the system browser', () => {
    expect(externalLinkDecision('https://docs.aws.amazon.com/iot/')).toBe('open-externally')
  })

  it('denies everything else: http, file, custom schemes, javascript:, credentials in the URL, garbage', () => {
    for (const url of ['http://example.com/', 'file:///etc/passwd', 'smb://share/x', 'javascript:alert(1)', 'ms-settings:', 'https://user:pw@example.com/', 'nonsense'])
      expect(externalLinkDecision(url), url).toBe('deny')
  })
})

describe('navigationAllowed', () => {
  it('allows only (re)loading the app’s own page', () => {
    expect(navigationAllowed(builtApp, builtApp)).toBe(true)
    expect(navigationAllowed('https://example.com/', builtApp)).toBe(false)
    expect(navigationAllowed('file:///etc/passwd', builtApp)).toBe(false)
  })
})
