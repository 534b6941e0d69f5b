import { parseArgs } from 'node:util'
import { MqttConnectionError, type Qos, type ReceivedMessage } from '../../core/mqtt'
import type { CommandContext } from '../commandContext'
import { connectionFromFlags, connectionOptions } from '../connectionArgs'
import { UsageError } from '../errors'
import { argumentBytes } from '../jsonArgument'
import { asThingOption, connectAs } from '../mqttIdentity'
import { withRecoveredSession } from '../runSession'
import { stopSignal } from '../stopSignal'

// `thingbench mqtt publish|subscribe`: raw MQTT through the connection's broker, as an operator
// (WebSocket + SigV4 with the connection's credentials) or, with --as-thing, as that thing (its
// certificate and vault key). QoS 1 by default: a publish returns once the broker acknowledged it.

const options = {
  topic: { type: 'string' },
  message: { type: 'string' },
  qos: { type: 'string' },
  retain: { type: 'boolean' },
  count: { type: 'string' },
  ...asThingOption,
  ...connectionOptions
} as const

/** AWS IoT's limits (research/iot-core.md §3.6): checked here so a mistake is named instead of the broker closing the connection. */
const maxTopicBytes = 256
const maxPayloadBytes = 128 * 1024

export async function mqttCommand(argv: string[], ctx: CommandContext, signals: NodeJS.EventEmitter = process): Promise<number> {
  const [action, ...rest] = argv
  if (action !== 'publish' && action !== 'subscribe') throw new UsageError(`mqtt needs publish or subscribe${action === undefined ? '' : `, got "${action}"`}`)
  const { values: flags } = parseArgs({ args: rest, options, strict: true, allowPositionals: false })
  if (flags.topic === undefined || flags.topic === '') throw new UsageError(`mqtt ${action} needs --topic ${action === 'publish' ? 'TOPIC' : 'FILTER'}`)
  if (Buffer.byteLength(flags.topic) > maxTopicBytes) throw new UsageError(`--topic is longer than AWS IoT's ${maxTopicBytes} bytes`)
  const qos = qosFromFlag(flags.qos)
  const connection = connectionFromFlags(flags, ctx.env)

  if (action === 'publish') {
    if (flags.count !== undefined) throw new UsageError('--count applies only to mqtt subscribe')
    if (/[+#]/.test(flags.topic)) throw new UsageError(`--topic "${flags.topic}" has a wildcard (+ or #): a message is published to one topic, not a filter`)
    if (flags.message === undefined) throw new UsageError("mqtt publish needs --message TEXT or --message @file (--message '' sends an empty message)")
    const payload = await argumentBytes('--message', flags.message)
    if (payload.length > maxPayloadBytes) throw new UsageError(`--message is ${payload.length} bytes; AWS IoT accepts at most ${maxPayloadBytes} bytes (128 KB) per message`)
    const topic = flags.topic
    const retain = flags.retain ?? false
    return withRecoveredSession(ctx, true, async (session) => {
      const lease = await connectAs(session, connection, flags['as-thing'], 'publish')
      await lease.connection.publish(topic, payload, { qos, retain })
      ctx.stdout.write(JSON.stringify({ topic, qos, retain, bytes: payload.length }) + '\n')
      return 0
    })
  }

  if (flags.message !== undefined || flags.retain !== undefined) throw new UsageError(`--${flags.message !== undefined ? 'message' : 'retain'} applies only to mqtt publish`)
  const count = countFromFlag(flags.count)
  const filter = flags.topic
  return withRecoveredSession(ctx, true, async (session) => {
    const stop = stopSignal(signals)
    try {
      const lease = await connectAs(session, connection, flags['as-thing'], 'subscribe')
      let received = 0
      let enough: () => void = () => {}
      const counted = new Promise<void>((resolve) => (enough = resolve))
      let closed: (reason: string) => void = () => {}
      const closedForGood = new Promise<string>((resolve) => (closed = resolve))
      await lease.connection.subscribe(filter, qos, (message) => {
        if (count !== undefined && received >= count) return
        ctx.stdout.write(JSON.stringify(messageLine(message)) + '\n')
        if (++received === count) enough()
      })
      // Watched from here on: a refused subscribe above interrupts the connection too, and says why itself.
      lease.connection.onState((state) => {
        if (state.state === 'closed') closed(state.reason ?? 'the connection was closed')
        else if (state.state === 'interrupted') ctx.stderr.write(`Connection interrupted (${state.reason}); reconnecting, messages may be missed meanwhile\n`)
        else if (state.state === 'resumed') ctx.stderr.write(`Connection resumed; subscribed to ${filter} again\n`)
      })
      ctx.stderr.write(`Subscribed to ${filter} (QoS ${qos})\n`)
      const ended = await Promise.race([stop.stopped.then(() => undefined), counted.then(() => undefined), closedForGood])
      if (ended !== undefined) throw new MqttConnectionError(`The subscription to ${filter} ended: ${ended}`)
      return 0
    } finally {
      stop.dispose()
    }
  })
}

function qosFromFlag(qos: string | undefined): Qos {
  if (qos === undefined || qos === '1') return 1
  if (qos === '0') return 0
  throw new UsageError(`--qos must be 0 or 1 (AWS IoT does not support QoS 2), got "${qos}"`)
}

function countFromFlag(count: string | undefined): number | undefined {
  if (count === undefined) return undefined
  if (!/^\d+$/.test(count) || Number(count) < 1) throw new UsageError(`--count takes how many messages to wait for, a whole number of at least 1, got "${count}"`)
  return Number(count)
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A message as a JSON line: the payload as text when it is UTF-8, else base64 (payloadBase64). */
function messageLine(message: ReceivedMessage): Record<string, unknown> {
  const { topic, qos, retain } = message
  try {
    return { topic, payload: utf8.decode(message.payload), qos, retain }
  } catch {
    return { topic, payloadBase64: Buffer.from(message.payload).toString('base64'), qos, retain }
  }
}
