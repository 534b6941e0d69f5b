import { join } from 'node:path'
import { app, dialog, type BrowserWindow } from 'electron'
import type { NativeDialogs } from '../app/api/dialogs'

/** The native dialogs of the app's window: certificate import, bundle export, and confirming a custom endpoint. */
export function nativeDialogs(parent: () => BrowserWindow | undefined): NativeDialogs {
  const show = <T>(withParent: (window: BrowserWindow) => Promise<T>, alone: () => Promise<T>) => {
    const window = parent()
    return window && !window.isDestroyed() ? withParent(window) : alone()
  }
  return {
    async chooseExportFolder(suggestedName) {
      const options: Electron.OpenDialogOptions = {
        title: `Choose where to create the folder “${suggestedName}”`,
        message: `The certificate bundle goes into a new folder “${suggestedName}” inside the folder you choose.`,
        buttonLabel: 'Export here',
        defaultPath: app.getPath('documents'),
        properties: ['openDirectory', 'createDirectory']
      }
      const result = await show((w) => dialog.showOpenDialog(w, options), () => dialog.showOpenDialog(options))
      const folder = result.canceled ? undefined : result.filePaths[0]
      return folder ? join(folder, suggestedName) : null
    },
    async chooseFolder(current) {
      const options: Electron.OpenDialogOptions = {
        title: 'Choose where bundles go',
        message: 'Each exported bundle goes into a new folder, named after its thing, inside the folder you choose.',
        buttonLabel: 'Use this folder',
        defaultPath: current ?? app.getPath('documents'),
        properties: ['openDirectory', 'createDirectory']
      }
      const result = await show((w) => dialog.showOpenDialog(w, options), () => dialog.showOpenDialog(options))
      return (result.canceled ? undefined : result.filePaths[0]) ?? null
    },
    async pickCertificateFile() {
      const options: Electron.OpenDialogOptions = {
        title: 'Choose a certificate file',
        buttonLabel: 'Use certificate',
        filters: [
          { name: 'PEM certificates', extensions: ['pem', 'crt', 'cer'] },
          { name: 'All files', extensions: ['*'] }
        ],
        properties: ['openFile']
      }
      const result = await show((w) => dialog.showOpenDialog(w, options), () => dialog.showOpenDialog(options))
      return (result.canceled ? undefined : result.filePaths[0]) ?? null
    },
    async confirmEndpoint(url, region) {
      // Drawn by the main process, not the page: a compromised page cannot answer it.
      const options: Electron.MessageBoxOptions = {
        type: 'warning',
        title: 'Add a custom endpoint',
        message: `Send AWS requests to ${url}?`,
        detail:
          `ThingBench will sign requests to ${url} (region ${region}) with your AWS credentials from the environment, ` +
          'and save it as a connection. Add it only if you know this endpoint: an AWS emulator (moto, LocalStack) or your own proxy.',
        buttons: ['Cancel', 'Add endpoint'],
        defaultId: 0,
        cancelId: 0,
        noLink: true
      }
      const answer = await show((w) => dialog.showMessageBox(w, options), () => dialog.showMessageBox(options))
      return answer.response === 1
    }
  }
}
