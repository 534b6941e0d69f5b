import type { Configuration } from 'app-builder-lib'
import { getConfig } from 'app-builder-lib/out/util/config/config'

/** electron.builder.yml as electron-builder itself reads it (its own loader, so tests follow the config). */
export function electronBuilderConfig(): Promise<Configuration> {
  return getConfig(process.cwd(), 'electron.builder.yml', null)
}
