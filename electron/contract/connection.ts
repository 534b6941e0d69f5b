import { z } from 'zod'

/** An AWS region name as the SDK takes it (eu-west-1; also a local emulator's own, e.g. local-1). */
export const regionSchema = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'A region is lowercase letters and digits joined by hyphens, such as eu-west-1').max(64)

/** An endpoint URL the app may sign requests to: http or https, no credentials or fragment in it. */
export const endpointUrlSchema = z
  .string()
  .max(2048)
  .refine((text) => {
    try {
      const url = new URL(text)
      return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && !url.hash
    } catch {
      return false
    }
  }, 'An endpoint is an http:// or https:// URL without user, password or #fragment, such as http://127.0.0.1:5000')

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
