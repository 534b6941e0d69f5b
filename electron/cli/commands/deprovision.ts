import { parseArgs } from 'node:util'
import { describeConnection } from '../../contract'
import { deprovision } from '../../core/provisioning'
import { connectionFromFlags, connectionOptions } from '../connectionArgs'
import { UsageError } from '../errors'
import type { CommandContext } from '../commandContext'
import { withRecoveredSession } from '../runSession'

const options = {
  thing: { type: 'string' },
  'delete-policy': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  ...connectionOptions
} as const

export async function deprovisionCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: flags } = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
  if (!flags.thing) throw new UsageError('deprovision needs --thing NAME')
  const thingName = flags.thing
  const connection = connectionFromFlags(flags, ctx.env)
  const dryRun = flags['dry-run'] ?? false
  return withRecoveredSession(ctx, flags.json ?? false, async (session) => {
    const iot = await session.iotClient(connection)
    const outcome = await deprovision(
      { thingName, deletePolicy: flags['delete-policy'] ?? false, dryRun },
      { iot, vault: session.vault }
    )
    if (flags.json) ctx.stdout.write(JSON.stringify({ thingName, dryRun, calls: outcome.calls }) + '\n')
    else {
      const heading = dryRun
        ? `Dry run: deprovisioning ${thingName} on ${describeConnection(connection)} would make these calls:`
        : `Deprovisioned ${thingName} on ${describeConnection(connection)}:`
      ctx.stdout.write([heading, ...outcome.calls.map((c) => `  ${c.operation} ${c.target}`)].join('\n') + '\n')
    }
    return 0
  })
}
