import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { app, dialog, type BrowserWindow } from 'electron'
import type { NativeDialogs } from '../app/api/dialogs'
import { certificatesOnly, maxCertificateFileBytes } from './certificateFile'

/** The native dialogs of the app's window, for the back end's certificate import and bundle export. */
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
      const path = result.canceled ? undefined : result.filePaths[0]
      if (!path) return null
      if ((await stat(path)).size > maxCertificateFileBytes)
        throw Object.assign(new Error(`${path} is larger than ${maxCertificateFileBytes} bytes: not a certificate file`), { errorName: 'InvalidCertificateFile' })
      return { path, pem: certificatesOnly(await readFile(path, 'utf8'), path) }
    }
  }
}
