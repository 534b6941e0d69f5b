import { join } from 'node:path'
import { resourcesDir } from '../core/certificates/resourcesDir'

/**
 * The window's icon (Linux and Windows title bars and task bars, and every platform in development;
 * a packaged macOS app shows its bundle's icon.icns). Shipped as an extraResource, see electron.builder.yml.
 */
export function appIconPath(resources: string = resourcesDir()): string {
  return join(resources, 'build', 'icon-512.png')
}
