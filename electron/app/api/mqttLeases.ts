import { randomBytes } from 'node:crypto'
import type { Connection, EndedBecause, MqttConnectionState, MqttIdentity } from '../../contract'
import type { ConnectionLease, MqttConnection } from '../../core/mqtt'
import type { BackendContext } from './context'

// The MQTT connections the contract's handlers hold (shadow watches, simulated devices, subscriptions
// and publishes): all from the session's one connection manager, so a thing's connection or the
// operator's is shared by everyone using it. While anyone holds one, its state changes go to the
// UI as mqtt.connectionState.

/** One handler's hold on a connection, and the UI connection (Local IoT Core, profile…) it belongs to. */
export interface HeldConnection {
  connection: MqttConnection
  opened: Connection
  /** Gives it back (the last holder's release disconnects it); harmless twice. */
  release(): Promise<void>
}

export class MqttLeases {
  /** The operator's client id, one per back end: every watch and operator subscription shares its connection. */
  readonly operatorClientId = `thingbench-${randomBytes(6).toString('hex')}`
  private readonly watched = new Map<MqttConnection, { holders: number; stopWatching: () => void }>()

  constructor(private readonly ctx: BackendContext) {}

  /** The operator connection (WebSocket + SigV4 with the chosen connection's credentials). */
  async operator(): Promise<HeldConnection> {
    const opened = this.ctx.connection()
    return this.hold(opened, await this.ctx.session.deviceSide.operator(opened, this.operatorClientId))
  }

  /** The thing's own connection (mutual TLS with its vault key, client id = thing name, as the seed policy wants). */
  async device(thingName: string): Promise<HeldConnection> {
    const opened = this.ctx.connection()
    return this.hold(opened, await this.ctx.session.deviceSide.device(opened, thingName))
  }

  /** Work nobody awaits (stopping what a closed or changed connection ended): a failure goes to the log, never unhandled. */
  inBackground(what: string, work: Promise<unknown>): void {
    work.catch((error: unknown) => this.ctx.session.log.logger.error({ err: error }, `${what} failed`))
  }

  private hold(opened: Connection, lease: ConnectionLease): HeldConnection {
    const { connection } = lease
    let watched = this.watched.get(connection)
    if (!watched) {
      const emit = (state: MqttConnectionState) => this.ctx.events.emit('mqtt.connectionState', { identity: connection.identity, state, message: describeConnectionState(connection.identity, state) })
      watched = { holders: 0, stopWatching: connection.onState(emit) }
      this.watched.set(connection, watched)
      emit(connection.current)
    }
    const entry = watched
    entry.holders++
    let released = false
    return {
      connection,
      opened,
      release: async () => {
        if (released) return
        released = true
        // The release may close the connection: that last state still goes out.
        await lease.release()
        if (--entry.holders > 0) return
        entry.stopWatching()
        if (this.watched.get(connection) === entry) this.watched.delete(connection)
      }
    }
  }
}

export function describeIdentity(identity: MqttIdentity): string {
  return identity.kind === 'operator'
    ? `The operator connection (client id "${identity.clientId}")`
    : `Thing ${identity.thingName}${identity.clientId === identity.thingName ? '' : ` (client id "${identity.clientId}")`}`
}

export function describeConnectionState(identity: MqttIdentity, state: MqttConnectionState): string {
  const who = describeIdentity(identity)
  switch (state.state) {
    case 'connecting':
      return `${who} is connecting`
    case 'connected':
      return `${who} is connected`
    case 'interrupted':
      return `${who} lost its connection (${state.reason}); reconnecting`
    case 'resumed':
      return `${who} is connected again`
    case 'closed':
      return state.reason ? `${who} is closed: ${state.reason}` : `${who} is closed`
  }
}

/** Whether two UI connections are the same (a change to another one ends what the old one opened). */
export const sameConnection = (a: Connection, b: Connection): boolean => JSON.stringify(a) === JSON.stringify(b)

/** Why a watch, a simulated device or a subscription ended, in words that follow "stopped …: ". */
export function describeEnd(because: EndedBecause): string {
  switch (because) {
    case 'asked':
      return 'as asked'
    case 'connectionChanged':
      return 'the app now works on another connection; start it again to follow it there'
    case 'connectionClosed':
      return 'its MQTT connection closed for good (the connection state says why)'
    case 'closing':
      return 'ThingBench is closing'
  }
}
