import { describeAwsError } from '../core/aws'
import { defaultHome } from '../core/home'
import { deprovisionCommand } from './commands/deprovision'
import { provisionCommand } from './commands/provision'
import { sandboxCommand } from './commands/sandbox'
import { serveCommand } from './commands/serve'
import type { CommandContext } from './commandContext'
import { UsageError } from './errors'
import { usage } from './usage'

const commands: Record<string, (argv: string[], ctx: CommandContext) => Promise<number>> = {
  sandbox: sandboxCommand,
  provision: provisionCommand,
  deprovision: deprovisionCommand,
  serve: serveCommand
}

/** Runs one CLI invocation and returns its exit code: 0 done, 1 failed, 2 wrong usage. */
export async function runCli(argv: string[], ctx: Omit<CommandContext, 'home'>): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    ctx.stdout.write(usage)
    return name === undefined ? 2 : 0
  }
  const command = commands[name]
  if (!command) {
    ctx.stderr.write(`thingbench: unknown command "${name}". Run thingbench --help for the commands.\n`)
    return 2
  }
  try {
    return await command(rest, { ...ctx, home: defaultHome(ctx.env) })
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      ctx.stderr.write(`thingbench ${name}: ${(err as Error).message}. Run thingbench --help for usage.\n`)
      return 2
    }
    ctx.stderr.write(`thingbench ${name}: ${oneLine(err)}\n`)
    return 1
  }
}

function oneLine(err: unknown): string {
  const described = describeAwsError(err)
  const text = described.errorName && !described.message.startsWith(described.errorName)
    ? `${described.errorName}: ${described.message}`
    : described.message
  return text.replace(/\s*\n\s*/g, ' ')
}
