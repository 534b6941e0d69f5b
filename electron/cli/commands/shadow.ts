import { parseArgs } from 'node:util'
import type { AppSession } from '../../app/session'
import type { Connection } from '../../contract'
import { ShadowClient, ShadowConflictError, type ShadowStateChange, type ShadowUpdateRequest } from '../../core/shadow'
import type { CommandContext } from '../commandContext'
import { connectionFromFlags, connectionOptions } from '../connectionArgs'
import { UsageError } from '../errors'
import { jsonObjectArgument } from '../jsonArgument'
import { asThingOption } from '../mqttIdentity'
import { withRecoveredSession } from '../runSession'
import { shadowKeyFromFlags, shadowKeyOptions } from '../shadowArgs'

// `thingbench shadow get|update|delete|list`: one request to the Device Shadow service, over the
// HTTP data plane (the connection's credentials) or over MQTT as the thing itself (its certificate
// and vault key). `shadow watch` streams instead and lives in shadowWatch.ts.

const options = {
  ...shadowKeyOptions,
  desired: { type: 'string' },
  reported: { type: 'string' },
  version: { type: 'string' },
  via: { type: 'string' },
  ...asThingOption,
  json: { type: 'boolean' },
  ...connectionOptions
} as const

type Flags = Partial<Record<'name' | 'desired' | 'reported' | 'version' | 'as-thing', string>>
type Action = 'get' | 'update' | 'delete' | 'list'
const actions: readonly string[] = ['get', 'update', 'delete', 'list'] satisfies Action[]

export async function shadowCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const [action, ...rest] = argv
  if (action === 'watch') return (await import('./shadowWatch')).shadowWatchCommand(rest, ctx)
  if (action === undefined || !actions.includes(action)) throw new UsageError(`shadow needs one of get, update, delete, list, watch${action === undefined ? '' : `, got "${action}"`}`)
  const { values: flags } = parseArgs({ args: rest, options, strict: true, allowPositionals: false })
  const command = `shadow ${action}`
  const via = viaFromFlag(flags.via)
  checkFlagsFor(action as Action, flags, via)
  const key = shadowKeyFromFlags(command, flags)
  // The update document is read and checked before anything connects.
  const request = action === 'update' ? await updateRequest(flags) : undefined
  const connection = connectionFromFlags(flags, ctx.env)
  const json = flags.json ?? false
  const print = (value: unknown) => ctx.stdout.write(JSON.stringify(value, null, json ? undefined : 2) + '\n')

  return withRecoveredSession(ctx, json, async (session) => {
    const client = await shadowClient(session, connection, via, flags['as-thing'] ?? key.thingName)
    try {
      switch (action as Action) {
        case 'get':
          print(await client.get(key))
          break
        case 'update':
          print(await conflictShown(client.update(key, request!), print))
          break
        case 'delete':
          print(await client.delete(key))
          break
        case 'list': {
          const names = await allNamedShadows(client, key.thingName)
          if (json) print({ thingName: key.thingName, names })
          else ctx.stdout.write(names.map((name) => `${name}\n`).join(''))
          break
        }
      }
      return 0
    } finally {
      await client.close()
    }
  })
}

function viaFromFlag(via: string | undefined): 'http' | 'mqtt' {
  if (via === undefined || via === 'http' || via === 'mqtt') return via ?? 'http'
  throw new UsageError(`--via must be http or mqtt, got "${via}"`)
}

function checkFlagsFor(action: Action, flags: Flags, via: 'http' | 'mqtt'): void {
  if (action !== 'update') {
    const misplaced = (['desired', 'reported', 'version'] as const).find((flag) => flags[flag] !== undefined)
    if (misplaced) throw new UsageError(`--${misplaced} applies only to shadow update`)
  }
  if (action === 'list') {
    if (flags.name !== undefined) throw new UsageError('shadow list lists the named shadows of --thing; leave out --name')
    // AWS has ListNamedShadowsForThing over HTTP only: no MQTT topic lists shadows.
    if (via === 'mqtt') throw new UsageError('shadow list works over HTTP only (AWS IoT has no MQTT topic that lists named shadows); leave out --via mqtt')
  }
  if (flags['as-thing'] !== undefined && via !== 'mqtt') throw new UsageError('--as-thing applies to --via mqtt (over HTTP the connection\'s credentials are used)')
}

async function updateRequest(flags: Flags): Promise<ShadowUpdateRequest> {
  if (flags.desired === undefined && flags.reported === undefined) throw new UsageError('shadow update needs --desired JSON or --reported JSON (or both)')
  const state: ShadowStateChange = {}
  if (flags.desired !== undefined) state.desired = await jsonObjectArgument('--desired', flags.desired, { allowNull: true })
  if (flags.reported !== undefined) state.reported = await jsonObjectArgument('--reported', flags.reported, { allowNull: true })
  if (flags.version === undefined) return { state }
  const version = Number(flags.version)
  if (!/^\d+$/.test(flags.version) || !Number.isSafeInteger(version)) throw new UsageError(`--version must be the shadow's version, a whole number such as 3, got "${flags.version}"`)
  return { state, version }
}

async function shadowClient(session: AppSession, connection: Connection, via: 'http' | 'mqtt', thingName: string): Promise<ShadowClient> {
  if (via === 'http') return ShadowClient.overHttp(await session.deviceSide.dataPlane(connection))
  // The session closes the connection at the end; the client only releases its subscriptions.
  const { connection: mqtt } = await session.deviceSide.device(connection, thingName)
  return ShadowClient.overMqtt(mqtt)
}

/** A version conflict prints both sides (what was sent, the shadow as it is) before the error line. */
async function conflictShown<T>(update: Promise<T>, print: (value: unknown) => void): Promise<T> {
  try {
    return await update
  } catch (error) {
    if (error instanceof ShadowConflictError) print({ attempted: error.attempted, current: error.current })
    throw error
  }
}

async function allNamedShadows(client: ShadowClient, thingName: string): Promise<string[]> {
  const names: string[] = []
  let nextToken: string | undefined
  do {
    const page = await client.listNamedShadows(thingName, nextToken === undefined ? {} : { nextToken })
    names.push(...page.names)
    nextToken = page.nextToken
  } while (nextToken !== undefined)
  return names
}
