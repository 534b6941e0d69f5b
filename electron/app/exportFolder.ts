import { constants } from 'node:fs'
import { access, mkdir } from 'node:fs/promises'

/**
 * Makes sure a bundle can be written into `folder` (created with its parents if missing), before
 * anything else happens: the CLI's --out and the app's export folder both check it first, so a
 * folder that cannot take the bundle is reported while nothing has been made. Returns null when it
 * can, else why not (the system's error code, such as EACCES or ENOTDIR).
 */
export async function writableFolderProblem(folder: string): Promise<string | null> {
  try {
    await mkdir(folder, { recursive: true })
    await access(folder, constants.W_OK)
    return null
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? (err as Error).message
  }
}
