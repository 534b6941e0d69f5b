import type { Client } from 'aedes'
import type { DisconnectReason, LifecycleSubject } from './lifecycleEvents'
import type { OperatorPrincipal } from './operatorUpgrades'

// What the gateway knows about each admitted connection: who it is (for the policy engine and the
// lifecycle events) and, once something ends it, why.

export interface DeviceConnection extends LifecycleSubject {
  /** The registered certificate a device (mTLS) connection presented; absent for an operator. */
  certificateId?: string
  /** Set for MQTT over WebSocket signed with the sandbox's credentials: such a connection may do everything. */
  operator?: OperatorPrincipal
  sourceIp?: string
  /** The keep-alive the connection runs with (after AWS's clamp), in seconds. */
  keepAliveSeconds?: number
  /** Set by whatever ends the connection first; read when the disconnected event is published. */
  disconnectReason?: DisconnectReason
}

export class DeviceConnections {
  private readonly byClient = new WeakMap<Client, DeviceConnection>()
  private readonly connectionCounts = new Map<string, number>()

  admit(client: Client, connection: Omit<DeviceConnection, 'versionNumber'>): DeviceConnection {
    const versionNumber = this.connectionCounts.get(connection.clientId) ?? 0
    this.connectionCounts.set(connection.clientId, versionNumber + 1)
    const admitted: DeviceConnection = { ...connection, versionNumber }
    this.byClient.set(client, admitted)
    return admitted
  }

  of(client: Client | null): DeviceConnection | undefined {
    return client ? this.byClient.get(client) : undefined
  }

  /** Records why the connection ends, unless an earlier cause was recorded. */
  ending(client: Client, reason: DisconnectReason): void {
    const connection = this.byClient.get(client)
    if (connection && connection.disconnectReason === undefined) connection.disconnectReason = reason
  }
}
