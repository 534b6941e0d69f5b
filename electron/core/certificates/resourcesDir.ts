import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Where electron-builder copies the resources a packaged app reads at run time, inside Electron's
 * `process.resourcesPath`: the `to:` of electron.builder.yml's extraResources.
 */
export const packagedResourcesFolder = 'resources'

export interface ResourcesDirOptions {
  env?: NodeJS.ProcessEnv
  /** Electron's process.resourcesPath when the app is packaged (the asar is not where the resources are). */
  packagedResourcesPath?: string
}

let walkedUp: string | undefined
let packagedResourcesPath: string | undefined

/**
 * Makes every later resourcesDir() read the packaged app's extraResources. The Electron main process
 * calls it at start when app.isPackaged, with process.resourcesPath; core itself knows no Electron.
 */
export function usePackagedResources(resourcesPath: string): void {
  packagedResourcesPath = resourcesPath
}

/**
 * The app's resources/ folder (Amazon root CA, policy templates). THINGBENCH_RESOURCES_DIR wins;
 * then the packaged app's extraResources; otherwise walk up from this file to the folder holding
 * package.json, which works from the sources, from tests and from out/ (but not from inside an
 * asar, whose package.json has no resources beside it).
 */
export function resourcesDir(options: ResourcesDirOptions = {}): string {
  const env = options.env ?? process.env
  if (env.THINGBENCH_RESOURCES_DIR) return resolve(env.THINGBENCH_RESOURCES_DIR)
  const packaged = options.packagedResourcesPath ?? packagedResourcesPath
  if (packaged) return join(packaged, packagedResourcesFolder)
  if (walkedUp) return walkedUp
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      walkedUp = join(dir, 'resources')
      return walkedUp
    }
    const parent = dirname(dir)
    if (parent === dir)
      throw new Error(
        `Cannot find ThingBench's resources folder: no package.json above ${fileURLToPath(import.meta.url)}. Set THINGBENCH_RESOURCES_DIR to the folder that holds AmazonRootCA1.pem and policies/`
      )
    dir = parent
  }
}

/** A path inside resources/. */
export function resourcePath(...segments: string[]): string {
  return join(resourcesDir(), ...segments)
}
