import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

let cached: string | undefined

/**
 * The app's resources/ folder (Amazon root CA, policy templates). THINGBENCH_RESOURCES_DIR wins (the
 * packaged app sets it, because resources live outside the asar); otherwise walk up from this file
 * to the folder holding package.json, which works from the sources, from tests and from out/.
 */
export function resourcesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.THINGBENCH_RESOURCES_DIR) return resolve(env.THINGBENCH_RESOURCES_DIR)
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      cached = join(dir, 'resources')
      return cached
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
