import { parseArgs } from 'node:util'
import type { AppSession } from '../../app/session'
import { localCoreEndpoints } from '../../app/localCoreCommands'
import { announceServing } from '../../app/servingLocalCore'
import { UsageError } from '../errors'
import type { CommandContext } from '../commandContext'
import { withRecoveredSession } from '../runSession'

const options = {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  throttling: { type: 'boolean' }
} as const

/** Runs the Local IoT Core alone until SIGINT/SIGTERM; prints one JSON line with what a client needs. */
export async function sandboxCommand(argv: string[], ctx: CommandContext, signals: NodeJS.EventEmitter = process): Promise<number> {
  const { values: flags } = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
  const port = flags.port === undefined ? 0 : Number(flags.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0-65535), got "${flags.port}"`)
  const coreOptions = { port, dataDir: flags['data-dir'], throttling: flags.throttling, reuseServing: false }
  const start = async (session: AppSession) => void (await session.localIotCore(coreOptions))
  return withRecoveredSession(ctx, true, async (session) => {
    const core = await session.localIotCore(coreOptions)
    const info = { ...localCoreEndpoints(core), accountId: core.accountId, dataDir: core.dataDir }
    const stopped = new Promise<string>((resolve) => {
      signals.once('SIGINT', () => resolve('SIGINT'))
      signals.once('SIGTERM', () => resolve('SIGTERM'))
    })
    const withdraw = flags['data-dir'] === undefined ? await announceServing(ctx.home, info, session.vault) : async () => {}
    ctx.stdout.write(JSON.stringify(info) + '\n')
    const signal = await stopped
    ctx.stderr.write(`Local IoT Core stopping (${signal})\n`)
    await withdraw()
    return 0
  }, start)
}
