import { parseArgs } from 'node:util'
import { MqttConnectionError, type ConnectionState } from '../../core/mqtt'
import { SimulatedDevice, type JsonObject, type SimulatedDeviceEvent } from '../../core/shadow'
import type { CommandContext } from '../commandContext'
import { connectionFromFlags, connectionOptions } from '../connectionArgs'
import { UsageError } from '../errors'
import { jsonObjectArgument } from '../jsonArgument'
import { withRecoveredSession } from '../runSession'
import { shadowKeyFromFlags, shadowKeyOptions } from '../shadowArgs'
import { stopSignal } from '../stopSignal'

// `thingbench device`: act as the thing. Connects with its certificate and vault key (client id =
// thing name), reports --report once, then prints what it sees as JSON lines: its connection's
// states, the deltas it gets, its own reports. With --auto-ack it answers each delta by reporting it
// after --delay ms, as a device that does what it is asked. Runs until SIGINT or SIGTERM (exit 0); a
// connection AWS closes for good (certificate deactivated, policy changed) ends it with the reason.

const options = {
  ...shadowKeyOptions,
  report: { type: 'string' },
  'auto-ack': { type: 'boolean' },
  delay: { type: 'string' },
  ...connectionOptions
} as const

export async function deviceCommand(argv: string[], ctx: CommandContext, signals: NodeJS.EventEmitter = process): Promise<number> {
  // `device write`: a real board's identity over the cable (no MQTT here, so loaded only then).
  if (argv[0] === 'write') return (await import('./deviceWrite')).deviceWriteCommand(argv.slice(1), ctx)
  const { values: flags } = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
  const key = shadowKeyFromFlags('device', flags)
  const delayMs = delayFromFlags(flags.delay, flags['auto-ack'] ?? false)
  const initialReported = flags.report === undefined ? undefined : ((await jsonObjectArgument('--report', flags.report)) as JsonObject)
  const connection = connectionFromFlags(flags, ctx.env)
  const print = (value: unknown) => ctx.stdout.write(JSON.stringify(value) + '\n')

  return withRecoveredSession(ctx, true, async (session) => {
    const stop = stopSignal(signals)
    try {
      const lease = await session.deviceSide.device(connection, key.thingName)
      let closed: (reason: string) => void = () => {}
      const closedForGood = new Promise<string>((resolve) => (closed = resolve))
      print(connectionLine(lease.connection.current))
      lease.connection.onState((state) => {
        print(connectionLine(state))
        if (state.state === 'closed') closed(state.reason ?? 'the connection was closed')
      })
      const device = await SimulatedDevice.start({
        connection: lease.connection,
        ...(key.shadowName === undefined ? {} : { shadowName: key.shadowName }),
        ...(initialReported === undefined ? {} : { initialReported }),
        answering: delayMs === undefined ? { mode: 'manual' } : { mode: 'auto', delayMs },
        onEvent: (event) => print(eventLine(event))
      })
      const ended = await Promise.race([stop.stopped.then(() => undefined), closedForGood])
      await device.stop()
      if (ended !== undefined) throw new MqttConnectionError(`The device ${key.thingName} was disconnected: ${ended}`)
      return 0
    } finally {
      stop.dispose()
    }
  })
}

/** --delay MS (default 0) when --auto-ack is given; undefined: the deltas are only printed. */
function delayFromFlags(delay: string | undefined, autoAck: boolean): number | undefined {
  if (!autoAck) {
    if (delay !== undefined) throw new UsageError('--delay applies to --auto-ack (how long the device waits before it answers a delta)')
    return undefined
  }
  if (delay === undefined) return 0
  if (!/^\d+$/.test(delay) || Number(delay) > 3_600_000) throw new UsageError(`--delay takes milliseconds, a whole number from 0 to 3600000, got "${delay}"`)
  return Number(delay)
}

function connectionLine(state: ConnectionState): unknown {
  return { type: 'connection', ...state }
}

function eventLine(event: SimulatedDeviceEvent): unknown {
  switch (event.type) {
    case 'delta':
      return event
    case 'reported':
      return { type: 'reported', patch: event.patch, version: event.accepted.version, clientToken: event.accepted.clientToken }
    case 'error':
      return { type: 'error', errorName: event.error.errorName, message: event.error.message }
  }
}
