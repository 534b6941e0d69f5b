import type { DisconnectReason } from './lifecycleEvents'

// Each client id's latest connection state, as fleet indexing's connectivity status keeps it
// (GetThingConnectivityData, DG device-connectivity-status.md): connected or not, since when, and
// why the last connection ended. A replaced connection (same client id) ending late does not
// overwrite the connection that replaced it.

export interface ClientConnectivityRecord {
  connected: boolean
  /** Epoch ms of the latest connect or disconnect. */
  timestamp: number
  /** The connection's own id (a lifecycle event's sessionIdentifier). */
  sessionIdentifier: string
  disconnectReason?: DisconnectReason
  keepAliveSeconds: number
  cleanSession: boolean
  sourceIp?: string
}

export class ClientConnectivity {
  private readonly byClientId = new Map<string, ClientConnectivityRecord>()

  connected(clientId: string, record: Omit<ClientConnectivityRecord, 'connected' | 'disconnectReason'>): void {
    this.byClientId.set(clientId, { ...record, connected: true })
  }

  disconnected(clientId: string, sessionIdentifier: string, reason: DisconnectReason, timestamp: number): void {
    const current = this.byClientId.get(clientId)
    if (!current || current.sessionIdentifier !== sessionIdentifier) return
    this.byClientId.set(clientId, { ...current, connected: false, disconnectReason: reason, timestamp })
  }

  of(clientId: string): ClientConnectivityRecord | undefined {
    return this.byClientId.get(clientId)
  }
}
