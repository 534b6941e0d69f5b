import { parseArgs } from 'node:util'
import { ShadowError, watchShadow, type ShadowWatchEvent } from '../../core/shadow'
import type { CommandContext } from '../commandContext'
import { connectionFromFlags, connectionOptions } from '../connectionArgs'
import { asThingOption, connectAs } from '../mqttIdentity'
import { withRecoveredSession } from '../runSession'
import { shadowKeyFromFlags, shadowKeyOptions } from '../shadowArgs'
import { stopSignal } from '../stopSignal'

// `thingbench shadow watch`: the shadow's documents, deltas and deletes as JSON lines, in version
// order (core's ShadowWatch drops stale and duplicate ones), as an operator (WebSocket + SigV4 with
// the connection's credentials) unless --as-thing names a thing to watch as. Runs until SIGINT or
// SIGTERM (exit 0); a connection that closes for good ends it with the reason (exit 1).

const options = {
  ...shadowKeyOptions,
  ...asThingOption,
  ...connectionOptions
} as const

export async function shadowWatchCommand(argv: string[], ctx: CommandContext, signals: NodeJS.EventEmitter = process): Promise<number> {
  const { values: flags } = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
  const key = shadowKeyFromFlags('shadow watch', flags)
  const connection = connectionFromFlags(flags, ctx.env)
  return withRecoveredSession(ctx, true, async (session) => {
    const stop = stopSignal(signals)
    let signalled = false
    void stop.stopped.then(() => (signalled = true))
    try {
      const lease = await connectAs(session, connection, flags['as-thing'], 'watch')
      const watch = await watchShadow(lease.connection, key)
      let lastError: ShadowError | undefined
      const printed = (async () => {
        for await (const event of watch) {
          if (event.type === 'error') lastError = event.error
          ctx.stdout.write(JSON.stringify(printable(event)) + '\n')
        }
      })()
      const ended = await Promise.race([stop.stopped.then(() => 'signal' as const), printed.then(() => 'closed' as const)])
      await watch.stop()
      await printed
      // Ended by itself: the connection closed for good (the watch said why in its last event).
      if (ended === 'closed' && !signalled) throw lastError ?? new ShadowError('ConnectionClosed', `The watch of ${key.thingName} ended: its MQTT connection closed`, 'mqtt')
      return 0
    } finally {
      stop.dispose()
    }
  })
}

/** An event as a JSON line: errors by AWS's name and message (an Error object would print as {}). */
function printable(event: ShadowWatchEvent): unknown {
  if (event.type !== 'error') return event
  return { type: 'error', errorName: event.error.errorName, message: event.error.message }
}
