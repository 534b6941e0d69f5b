import { parseArgs } from 'node:util'
import { describeConnection, type Connection } from '../../contract'
import { firstProblem, thingNameSchema } from '../../contract/awsRules'
import { writeToDeviceArgsSchema, type DeviceWriteProgress, type DeviceWriteResult, type DeviceWriteStep } from '../../contract/jsonLinesProvisioning'
import { serialPathSchema } from '../../contract/serial'
import { writeIdentityOnPort } from '../../app/identityOnPort'
import { DeviceWriteError } from '../../core/onboarding/jsonLinesProvisioning'
import { PortNames, SerialError, SerialPorts } from '../../core/serial'
import { certificateToWrite } from '../certificateToWrite'
import type { CommandContext } from '../commandContext'
import { connectionFromFlags, connectionOptions } from '../connectionArgs'
import { UsageError } from '../errors'
import { wifiFromFlags, wifiOptions } from '../wifiArgs'
import { withRecoveredSession } from '../runSession'

// `thingbench device write --thing T --port PATH --send-private-key`: the wizard's "Write to a
// device" on the command line — the thing's endpoint, name, certificate and private key written to
// the JSON-lines board on PATH (docs/serial-json-lines.md §3), then its connection awaited. The run
// is the app's (app/identityOnPort); the key leaves the vault only when --send-private-key says so,
// goes only down the cable, and is printed nowhere.

const options = {
  thing: { type: 'string' },
  port: { type: 'string' },
  certificate: { type: 'string' },
  'send-private-key': { type: 'boolean' },
  ...wifiOptions,
  json: { type: 'boolean' },
  ...connectionOptions
} as const

export async function deviceWriteCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: flags } = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
  if (!flags.thing) throw new UsageError('write needs --thing T (the provisioned thing whose identity the board gets)')
  if (!flags.port) throw new UsageError('write needs --port PATH (the JSON-lines board\'s serial port)')
  const problem =
    firstProblem(thingNameSchema, flags.thing) ??
    firstProblem(serialPathSchema, flags.port) ??
    (flags.certificate === undefined ? null : prefixed('--certificate', firstProblem(writeToDeviceArgsSchema.shape.certificateId, flags.certificate)))
  if (problem) throw new UsageError(problem)
  const wifi = wifiFromFlags(flags['wifi-ssid'], ctx.env)
  const connection = connectionFromFlags(flags, ctx.env)
  // Last, so the other mistakes are said first: this one is a choice, not a typo.
  if (!flags['send-private-key'])
    throw new UsageError(
      `write sends thing ${flags.thing}'s private key out of this machine's vault, with its certificate and endpoint, to the board on ${flags.port}, which keeps it. Nothing was sent. Give --send-private-key to do so`
    )
  const thingName = flags.thing
  const portPath = flags.port
  const json = flags.json ?? false

  return withRecoveredSession(ctx, json, async (session) => {
    const ports = new SerialPorts({ names: await PortNames.open(session.layout.serialPortNamesFile) })
    const started = performance.now()
    let failedAt: DeviceWriteStep | undefined
    try {
      const iot = await session.iotClient(connection)
      const certificateId = flags.certificate ?? (await certificateToWrite(session, connection, thingName))
      if (!json) ctx.stderr.write(`Writing thing ${thingName}'s identity (certificate ${certificateId}) to the board on ${portPath}\n`)
      const result = await writeIdentityOnPort({
        session,
        connection,
        iot,
        ports,
        portPath,
        thingName,
        certificateId,
        ...(wifi ? { wifi } : {}),
        onProgress: (p) => {
          if (p.status === 'failed') failedAt = p.step
          printStep(ctx, p, json)
        }
      })
      const totalMs = Math.round(performance.now() - started)
      if (json) ctx.stdout.write(JSON.stringify({ ...result, totalMs, via: connection }) + '\n')
      else ctx.stdout.write(summary(result, connection, totalMs))
      return 0
    } catch (error) {
      // The port's own trouble (not there, held by another) is said the same way, with its name.
      if (!(error instanceof DeviceWriteError || error instanceof SerialError)) throw error
      if (json) ctx.stdout.write(JSON.stringify({ failed: { ...(failedAt ? { step: failedAt } : {}), errorName: error.errorName, message: error.message } }) + '\n')
      ctx.stderr.write(`thingbench device write: ${error.errorName}: ${error.message}\n`)
      return 1
    } finally {
      await ports.close()
    }
  })
}

/** One line per step on stderr as it ends (and the wait for the connection as it begins); JSON lines with --json. */
function printStep(ctx: CommandContext, p: DeviceWriteProgress, json: boolean): void {
  if (json) {
    ctx.stderr.write(JSON.stringify(p) + '\n')
    return
  }
  const detail = p.detail ? `  ${p.detail}` : ''
  if (p.status === 'done') ctx.stderr.write(`  ✓ ${p.step}${detail}\n`)
  else if (p.status === 'skipped') ctx.stderr.write(`  – ${p.step}${detail}\n`)
  else if (p.status === 'failed') ctx.stderr.write(`  ✗ ${p.step}${detail}\n`)
  else if (p.step === 'connect') ctx.stderr.write(`  … ${p.step}${detail}\n`)
}

function prefixed(flag: string, problem: string | null): string | null {
  return problem === null ? null : `${flag}: ${problem}`
}

function summary(result: DeviceWriteResult, connection: Connection, totalMs: number): string {
  const { device } = result
  return [
    `Wrote ${result.thingName}'s identity to the board on ${result.portPath}; it connected to ${describeConnection(connection)}`,
    `  thing        ${result.thingName}`,
    `  certificate  ${result.certificateId}`,
    `  private key  sent to the board only (not shown)`,
    `  endpoint     ${result.endpoint}`,
    `  Wi-Fi        ${result.wifiSsid ?? "(the board's own)"}`,
    `  device       ${device.model} ${device.firmware} (serial ${device.serial})`,
    `  connection   ${result.connection.state}${result.connection.detail ? ` (${result.connection.detail})` : ''}`,
    `  time         ${totalMs} ms`
  ].join('\n') + '\n'
}
