import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, dialog, type BrowserWindow } from 'electron'
import { createApiBackend } from '../app/api'
import { loggedUnexpectedErrors } from '../app/api/errors'
import { AppSession } from '../app/session'
import { usePackagedResources } from '../core/certificates/resourcesDir'
import { defaultHome, homeLayout } from '../core/home'
import { openLog, type AppLog } from '../core/logging'
import { appIconPath } from './appIcon'
import { nativeDialogs } from './dialogs'
import { bindContractToWindow } from './ipc'
import { installAppMenu } from './menus'
import { createMainWindow } from './window'

// Electron entry, the composition root: one instance per home, the session on that home
// (interrupted runs recovered first; the Local IoT Core starts when first used, as the default
// connection), the contract's back end, and the window bound to it over IPC.

const here = dirname(fileURLToPath(import.meta.url)) // out/main
// Packaged, the root CA and policy templates are electron-builder's extraResources, outside the asar.
if (app.isPackaged) usePackagedResources(process.resourcesPath)
const home = defaultHome()
// Electron keeps its own profile (and the single-instance lock) beside a custom home, so two
// homes (e.g. tests) can run side by side while one home never has two windows.
if (process.env.THINGBENCH_HOME) app.setPath('userData', join(home, 'electron'))

let window: BrowserWindow | undefined
let appLog: Promise<AppLog> | undefined
/** The home's log, opened once, before anything that may fail. */
const openAppLog = (): Promise<AppLog> => (appLog ??= openLog({ file: homeLayout(home).logFile, processName: 'electron' }))

if (!app.requestSingleInstanceLock()) app.quit()
else {
  app.on('second-instance', () => {
    if (!window) return
    if (window.isMinimized()) window.restore()
    window.focus()
  })
  app.on('window-all-closed', () => app.quit())
  app.whenReady().then(start).catch(async (error: unknown) => {
    const log = await openAppLog().catch(() => undefined)
    log?.logger.fatal({ err: error }, 'ThingBench could not start')
    const details = log ? `\n\nThe details are in ${log.currentFile()}.` : ''
    dialog.showErrorBox('ThingBench could not start', `${error instanceof Error ? error.message : String(error)}${details}`)
    app.exit(1)
  })
}

async function start(): Promise<void> {
  installAppMenu()
  const log = await openAppLog()
  const session = await AppSession.open({ home, log })
  for (const report of await session.recoverInterruptedRuns()) log.logger.warn({ report }, `Recovered an interrupted run: ${report.summary}`)
  const backend = createApiBackend({ session, runtime: 'electron', version: app.getVersion(), dialogs: nativeDialogs(() => window) })

  const created = createMainWindow({
    preloadPath: join(here, '../preload/index.cjs'),
    rendererIndexPath: join(here, '../renderer/index.html'),
    iconPath: appIconPath(),
    devServerUrl: process.env.ELECTRON_RENDERER_URL
  })
  window = created.window
  const unbind = bindContractToWindow(
    created.window,
    created.appUrl,
    backend.handlers,
    backend.events,
    (line) => log.logger.warn({}, line),
    loggedUnexpectedErrors(log)
  )
  created.window.on('closed', () => {
    unbind()
    window = undefined
  })

  // Stop runs, connections and the Local IoT Core before Electron tears Node down.
  let stopped = false
  app.on('before-quit', (event) => {
    if (stopped) return
    event.preventDefault()
    stopped = true
    void backend
      .close()
      .then(() => session.close())
      .catch((error: unknown) => log.logger.error({ err: error }, 'Closing ThingBench failed'))
      .then(() => log.close())
      .finally(() => app.quit())
  })
}
