import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, dialog, type BrowserWindow } from 'electron'
import { createApiBackend } from '../app/api'
import { AppSession } from '../app/session'
import { defaultHome } from '../core/home'
import { nativeDialogs } from './dialogs'
import { bindContractToWindow } from './ipc'
import { installAppMenu } from './menus'
import { createMainWindow } from './window'

// Electron entry, the composition root: one instance per home, the session on that home
// (interrupted runs recovered first; the Local IoT Core starts when first used, as the default
// connection), the contract's back end, and the window bound to it over IPC.

const here = dirname(fileURLToPath(import.meta.url)) // out/main
const home = defaultHome()
// Electron keeps its own profile (and the single-instance lock) beside a custom home, so two
// homes (e.g. tests) can run side by side while one home never has two windows.
if (process.env.THINGBENCH_HOME) app.setPath('userData', join(home, 'electron'))

let window: BrowserWindow | undefined

if (!app.requestSingleInstanceLock()) app.quit()
else {
  app.on('second-instance', () => {
    if (!window) return
    if (window.isMinimized()) window.restore()
    window.focus()
  })
  app.on('window-all-closed', () => app.quit())
  app.whenReady().then(start).catch((error: unknown) => {
    dialog.showErrorBox('ThingBench could not start', error instanceof Error ? error.message : String(error))
    app.exit(1)
  })
}

async function start(): Promise<void> {
  installAppMenu()
  const session = await AppSession.open({ home })
  for (const report of await session.recoverInterruptedRuns()) console.warn(`Recovered an interrupted run: ${report.summary}`)
  const backend = createApiBackend({ session, runtime: 'electron', version: app.getVersion(), dialogs: nativeDialogs(() => window) })

  const created = createMainWindow({
    preloadPath: join(here, '../preload/index.cjs'),
    rendererIndexPath: join(here, '../renderer/index.html'),
    devServerUrl: process.env.ELECTRON_RENDERER_URL
  })
  window = created.window
  const unbind = bindContractToWindow(created.window, created.appUrl, backend.handlers, backend.events, (line) => console.error(line))
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
      .catch((error: unknown) => console.error(`Closing ThingBench: ${String(error)}`))
      .finally(() => app.quit())
  })
}
