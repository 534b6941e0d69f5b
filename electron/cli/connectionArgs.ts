import type { Connection } from '../contract'
import { UsageError } from './errors'

export interface ConnectionFlags {
  endpoint?: string
  profile?: string
  region?: string
}

/** --endpoint / --profile / --region → a Connection; the embedded Local IoT Core when neither is given. */
export function connectionFromFlags(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Connection {
  if (flags.endpoint && flags.profile) throw new UsageError('Give either --endpoint or --profile, not both')
  if (flags.endpoint) {
    let url: URL
    try {
      url = new URL(flags.endpoint)
    } catch {
      throw new UsageError(`--endpoint must be a URL such as https://iot.eu-west-1.amazonaws.com, got "${flags.endpoint}"`)
    }
    const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION
    if (!region) throw new UsageError('--endpoint needs a region: pass --region or set AWS_REGION')
    return { kind: 'endpoint', url: url.toString().replace(/\/$/, ''), region }
  }
  if (flags.profile) return { kind: 'profile', profile: flags.profile, ...(flags.region ? { region: flags.region } : {}) }
  if (flags.region) throw new UsageError('--region applies to --endpoint or --profile; the Local IoT Core has its own region')
  return { kind: 'local' }
}

export const connectionOptions = {
  endpoint: { type: 'string' },
  profile: { type: 'string' },
  region: { type: 'string' }
} as const
