import { readFileSync } from 'node:fs'
import { resourcePath } from './resourcesDir'

let cached: string | undefined

/** Amazon Root CA 1 (RSA 2048), the CA behind every iot:Data-ATS endpoint, as shipped in resources/. */
export function amazonRootCaPem(): string {
  cached ??= readFileSync(resourcePath('AmazonRootCA1.pem'), 'utf8')
  return cached
}
