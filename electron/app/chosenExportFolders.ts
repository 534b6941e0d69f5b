import { resolve } from 'node:path'
import { z } from 'zod'
import { readSettings, updateSettings } from './settingsFile'

// Where the app has a native folder dialog (Electron), a bundle — private key included — is written
// only into a folder the person picked in that dialog, kept in settings.json under "exportFolders".
// The page can name a remembered folder but cannot make the app write a key to a path of its own
// (the same rule as saved endpoints for signed requests).

const settingsSchema = z.looseObject({ exportFolders: z.array(z.string().min(1)).optional() })
const what = 'an export folder'
/** The most recent choices are kept; older ones must be picked again. */
const kept = 20

export async function rememberChosenExportFolder(settingsFile: string, folder: string): Promise<void> {
  const chosen = resolve(folder)
  await updateSettings(settingsFile, settingsSchema, what, (settings) => ({
    ...settings,
    exportFolders: [...(settings.exportFolders ?? []).filter((f) => f !== chosen), chosen].slice(-kept)
  }))
}

export async function wasChosenExportFolder(settingsFile: string, folder: string): Promise<boolean> {
  return ((await readSettings(settingsFile, settingsSchema, what)).exportFolders ?? []).includes(resolve(folder))
}
