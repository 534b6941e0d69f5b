import { parseArgs } from 'node:util'
import { describeConnection, type Connection } from '../../contract'
import { firstProblem, policyNameSchema, thingGroupNameSchema } from '../../contract/awsRules'
import type { ExpressLinkOnboardingResult } from '../../contract/onboarding'
import { serialPathSchema } from '../../contract/serial'
import { onboardExpressLinkOnPort } from '../../app/expressLinkOnPort'
import { OnboardingError } from '../../core/onboarding'
import { PortNames, SerialPorts } from '../../core/serial'
import type { CommandContext } from '../commandContext'
import { connectionFromFlags, connectionOptions } from '../connectionArgs'
import { UsageError } from '../errors'
import { wifiFromFlags, wifiOptions } from '../wifiArgs'
import { printProgress, withRecoveredSession } from '../runSession'

// `thingbench onboard --port PATH`: the ExpressLink technician flow (research §12.2) on one port,
// the same run as the Serial view's, printing each step as it ends and a summary. A failed step is
// undone before the command exits 1 with AWS's (or the module's) error name.

const options = {
  port: { type: 'string' },
  policy: { type: 'string' },
  group: { type: 'string' },
  ...wifiOptions,
  json: { type: 'boolean' },
  ...connectionOptions
} as const

/** Who holds the port while the command runs, as the app's serial list names holders. */
export const onboardOwner = 'thingbench onboard'

export async function onboardCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: flags } = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
  if (!flags.port) throw new UsageError('onboard needs --port PATH (the ExpressLink module\'s serial port)')
  const problem =
    firstProblem(serialPathSchema, flags.port) ??
    (flags.policy === undefined ? null : prefixed('--policy', firstProblem(policyNameSchema, flags.policy))) ??
    (flags.group === undefined ? null : prefixed('--group', firstProblem(thingGroupNameSchema, flags.group)))
  if (problem) throw new UsageError(problem)
  const wifi = wifiFromFlags(flags['wifi-ssid'], ctx.env)
  const connection = connectionFromFlags(flags, ctx.env)
  const json = flags.json ?? false

  return withRecoveredSession(ctx, json, async (session) => {
    const ports = new SerialPorts({ names: await PortNames.open(session.layout.serialPortNamesFile) })
    const started = performance.now()
    try {
      const result = await onboardExpressLinkOnPort({
        session,
        connection,
        iot: await session.iotClient(connection),
        ports,
        portPath: flags.port!,
        owner: onboardOwner,
        ...(flags.policy ? { policyName: flags.policy } : {}),
        ...(flags.group ? { thingGroup: flags.group } : {}),
        ...(wifi ? { wifi } : {}),
        onProgress: (p) => printProgress(ctx, p, json)
      })
      const totalMs = Math.round(performance.now() - started)
      if (json) ctx.stdout.write(JSON.stringify({ ...result, moduleMs: Math.round(result.moduleMs), totalMs, connection }) + '\n')
      else ctx.stdout.write(summary(result, connection, totalMs))
      return 0
    } catch (error) {
      if (!(error instanceof OnboardingError)) throw error
      const left = error.undo.complete ? 'Everything this run created was undone.' : `Not everything could be undone: ${error.undo.leftBehind.join('; ')}.`
      if (json) {
        const failed = { runId: error.runId, step: error.step, errorName: error.errorName, message: error.reason, undone: error.undo.complete, leftBehind: error.undo.leftBehind }
        ctx.stdout.write(JSON.stringify({ failed }) + '\n')
      }
      ctx.stderr.write(`thingbench onboard: ${error.errorName}: ${error.reason} (at step ${error.step}). ${left}\n`)
      return 1
    } finally {
      await ports.close()
    }
  })
}

function prefixed(flag: string, problem: string | null): string | null {
  return problem === null ? null : `${flag}: ${problem}`
}

function summary(result: ExpressLinkOnboardingResult, connection: Connection, totalMs: number): string {
  const moduleMs = Math.round(result.moduleMs)
  const share = totalMs > 0 ? Math.round((moduleMs / totalMs) * 100) : 0
  const lines = [
    `Onboarded ${result.thingName} on ${describeConnection(connection)}`,
    `  thing        ${result.thingName}`,
    `  certificate  ${result.certificateId}`,
    `  policy       ${result.policyName}`,
    `  group        ${result.thingGroup ?? '(none)'}`,
    `  endpoint     ${result.endpoint}`,
    `  Wi-Fi        ${result.wifiSsid ?? '(the module\'s own)'}`,
    `  shadow       ${JSON.stringify(result.shadow)}`,
    `  time         ${totalMs} ms, ${moduleMs} ms (${share}%) waiting on the module`
  ]
  if (result.reused.length) lines.push(`  reused       ${result.reused.join(', ')}`)
  return lines.join('\n') + '\n'
}
