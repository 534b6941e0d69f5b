import { parseArgs } from 'node:util'
import { endpointUrlSchema, regionSchema } from '../../contract'
import { homeLayout } from '../../core/home'
import { listSavedEndpoints, saveEndpoint } from '../../app/savedEndpoints'
import type { CommandContext } from '../commandContext'
import { UsageError } from '../errors'

const options = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
  label: { type: 'string' }
} as const

/**
 * `thingbench connections add --endpoint URL --region R [--label L]` saves a custom endpoint as a
 * connection the UI can then choose (the way to add one in browser mode, which has no dialog of its
 * own to confirm it); `thingbench connections list` prints the saved ones as JSON lines.
 */
export async function connectionsCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: flags, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true })
  const settingsFile = homeLayout(ctx.home).settingsFile
  const [action, ...extra] = positionals
  if (extra.length) throw new UsageError(`connections takes one action, got "${positionals.join(' ')}"`)
  if (action === 'list') {
    for (const endpoint of await listSavedEndpoints(settingsFile)) ctx.stdout.write(`${JSON.stringify(endpoint)}\n`)
    return 0
  }
  if (action !== 'add') throw new UsageError(`connections needs an action: add or list${action ? `, got "${action}"` : ''}`)
  if (!flags.endpoint || !flags.region) throw new UsageError('connections add needs --endpoint URL and --region R')
  const url = endpointUrlSchema.safeParse(flags.endpoint)
  if (!url.success) throw new UsageError(`--endpoint: ${url.error.issues[0]?.message}, got "${flags.endpoint}"`)
  const region = regionSchema.safeParse(flags.region)
  if (!region.success) throw new UsageError(`--region: ${region.error.issues[0]?.message}, got "${flags.region}"`)
  const saved = await saveEndpoint(settingsFile, { url: url.data, region: region.data, ...(flags.label ? { label: flags.label } : {}) })
  ctx.stdout.write(`Saved the connection ${saved.label ?? saved.url} (${saved.url}, region ${saved.region}): choose it in ThingBench's connection switcher (reload the connections).\n`)
  ctx.stderr.write(`Requests to ${saved.url} are signed with the AWS credentials of the environment ThingBench runs in.\n`)
  return 0
}
