import { z } from 'zod'

/** Where the app's AWS calls go. Serializable: it is stored in the provisioning journal. */
export const connectionSchema = z.discriminatedUnion('kind', [
  /** The built-in Local IoT Core, started by the app (or the CLI) on demand. */
  z.object({ kind: z.literal('local') }),
  /** An explicit endpoint; credentials from the standard AWS environment variables. */
  z.object({ kind: z.literal('endpoint'), url: z.string().url(), region: z.string().min(1) }),
  /** A named profile from ~/.aws/config and ~/.aws/credentials (SSO profiles included). */
  z.object({ kind: z.literal('profile'), profile: z.string().min(1), region: z.string().min(1).optional() })
])
export type Connection = z.infer<typeof connectionSchema>

export function describeConnection(c: Connection): string {
  switch (c.kind) {
    case 'local':
      return 'Local IoT Core'
    case 'endpoint':
      return `${c.url} (${c.region})`
    case 'profile':
      return `AWS profile ${c.profile}${c.region ? ` (${c.region})` : ''}`
  }
}
