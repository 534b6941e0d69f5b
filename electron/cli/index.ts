import { defaultHome, homeLayout } from '../core/home'
import type { CommandContext } from './commandContext'
import { UsageError } from './errors'
import { usage } from './usage'

type Command = (argv: string[], ctx: CommandContext) => Promise<number>

// Each command is loaded only when it runs: `thingbench --help` must not pay for the AWS SDK,
// the vault or the Local IoT Core, and `deprovision` not for the sandbox's HTTP server.
const commands: Record<string, () => Promise<Command>> = {
  sandbox: async () => (await import('./commands/sandbox')).sandboxCommand,
  provision: async () => (await import('./commands/provision')).provisionCommand,
  deprovision: async () => (await import('./commands/deprovision')).deprovisionCommand,
  serve: async () => (await import('./commands/serve')).serveCommand,
  connections: async () => (await import('./commands/connections')).connectionsCommand,
  shadow: async () => (await import('./commands/shadow')).shadowCommand,
  device: async () => (await import('./commands/device')).deviceCommand,
  mqtt: async () => (await import('./commands/mqtt')).mqttCommand,
  serial: async () => (await import('./commands/serial')).serialCommand,
  onboard: async () => (await import('./commands/onboard')).onboardCommand
}

/** Runs one CLI invocation and returns its exit code: 0 done, 1 failed, 2 wrong usage. */
export async function runCli(argv: string[], ctx: Omit<CommandContext, 'home'>): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    ctx.stdout.write(usage)
    return name === undefined ? 2 : 0
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (!load) {
    ctx.stderr.write(`thingbench: unknown command "${name}". Run thingbench --help for the commands.\n`)
    return 2
  }
  try {
    const command = await load()
    return await command(rest, { ...ctx, home: defaultHome(ctx.env) })
  } catch (err) {
    // `code` is not always a string: a Device Shadow refusal carries its HTTP status (409) there.
    const code = (err as { code?: unknown }).code
    if (err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      ctx.stderr.write(`thingbench ${name}: ${(err as Error).message}. Run thingbench --help for usage.\n`)
      return 2
    }
    ctx.stderr.write(`thingbench ${name}: ${await oneLine(err, `thingbench ${name}`, homeLayout(defaultHome(ctx.env)).logsDir)}\n`)
    return 1
  }
}

async function oneLine(err: unknown, command: string, logsDir: string): Promise<string> {
  const { describeAwsError } = await import('../core/aws/errors')
  const described = describeAwsError(err)
  // A bug's raw text (a TypeError's) says nothing to the user: name it, and where its stack was logged.
  const { javaScriptErrorNames, unexpectedErrorAnswer } = await import('../contract/bridge')
  if (javaScriptErrorNames.has(described.errorName)) return unexpectedErrorAnswer(command, err, logsDir).message
  const text = described.errorName && !described.message.startsWith(described.errorName)
    ? `${described.errorName}: ${described.message}`
    : described.message
  return text.replace(/\s*\n\s*/g, ' ')
}
