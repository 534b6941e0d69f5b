import { parseArgs } from 'node:util'
import { PortNames, SerialPorts, defaultPortSettings, parityChoices, type PortSettings } from '../../core/serial'
import { homeLayout } from '../../core/home'
import type { CommandContext } from '../commandContext'
import { UsageError } from '../errors'
import { stopSignal } from '../stopSignal'

// `thingbench serial list|monitor`: the serial ports as the app sees them (plugged in, watched,
// named — the same memory in the home), and a plain monitor that prints what a port receives and
// says when it vanishes and is reopened. No vault, no Local IoT Core.

const options = {
  watch: { type: 'string', multiple: true },
  port: { type: 'string' },
  baud: { type: 'string' },
  parity: { type: 'string' }
} as const

export async function serialCommand(argv: string[], ctx: CommandContext, signals: NodeJS.EventEmitter = process): Promise<number> {
  const [action, ...rest] = argv
  if (action !== 'list' && action !== 'monitor') throw new UsageError(`serial needs list or monitor${action === undefined ? '' : `, got "${action}"`}`)
  const { values: flags } = parseArgs({ args: rest, options, strict: true, allowPositionals: false })
  const ports = new SerialPorts({ names: await PortNames.open(homeLayout(ctx.home).serialPortNamesFile) })
  try {
    await ports.start()
    for (const path of flags.watch ?? []) await ports.watchPath(path)
    if (action === 'list') {
      const { ports: listed, degraded } = ports.list()
      if (degraded) ctx.stderr.write(`Discovery is degraded: ${degraded}\n`)
      for (const port of listed) ctx.stdout.write(JSON.stringify(port) + '\n')
      return 0
    }
    if (!flags.port) throw new UsageError('serial monitor needs --port PATH')
    const handle = await ports.acquire(flags.port, 'thingbench serial monitor', settingsFrom(flags))
    handle.on('data', (bytes) => ctx.stdout.write(bytes))
    handle.on('state', ({ state, reason }) => ctx.stderr.write(`${state}: ${reason}\n`))
    ctx.stderr.write(`Monitoring ${flags.port} at ${handle.settings.baudRate} baud; Ctrl-C stops\n`)
    const stop = stopSignal(signals)
    try {
      await stop.stopped
    } finally {
      stop.dispose()
    }
    return 0
  } finally {
    await ports.close()
  }
}

function settingsFrom(flags: { baud?: string; parity?: string }): PortSettings {
  const baudRate = flags.baud === undefined ? defaultPortSettings.baudRate : Number(flags.baud)
  if (!Number.isInteger(baudRate) || baudRate < 50 || baudRate > 4_000_000) throw new UsageError(`--baud must be a whole number from 50 to 4000000 (e.g. 115200), got "${flags.baud}"`)
  const parity = flags.parity ?? 'none'
  if (!(parityChoices as readonly string[]).includes(parity)) throw new UsageError(`--parity must be one of ${parityChoices.join(', ')}, got "${parity}"`)
  return { ...defaultPortSettings, baudRate, parity: parity as PortSettings['parity'] }
}
