import { randomUUID } from 'node:crypto'
import type { AppSession } from '../app/session'
import type { Connection } from '../contract'
import type { ConnectionLease } from '../core/mqtt'

/** The parseArgs option whose value connectAs takes as asThing. */
export const asThingOption = { 'as-thing': { type: 'string' } } as const

/**
 * Who a command connects to MQTT as: the thing itself (mutual TLS with its certificate and vault
 * key, client id = thing name, as the shadow policy requires), or an operator (WebSocket + SigV4
 * with the connection's credentials) under a client id of its own, so two commands never drop each
 * other (the broker allows one connection per client id).
 */
export function connectAs(session: AppSession, connection: Connection, asThing: string | undefined, purpose: string): Promise<ConnectionLease> {
  if (asThing !== undefined) return session.deviceSide.device(connection, asThing)
  return session.deviceSide.operator(connection, `thingbench-${purpose}-${randomUUID().slice(0, 8)}`)
}
