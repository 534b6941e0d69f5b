import type { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import type { Connection } from '../contract'
import { createDataPlaneClient, describeDataEndpoint } from '../core/aws'
import type { ConnectionLease, ConnectionManager } from '../core/mqtt'
import { deviceEndpoint, operatorEndpoint } from './mqttEndpoints'
import type { AppSession } from './session'

/**
 * A session's way to the device side of a connection: MQTT connections as a thing (mutual TLS, its
 * vault key) or as an operator (WebSocket + SigV4), all under one connection manager, and HTTP
 * data-plane clients. The manager (and with it aws-crt, a native module) is loaded on first use, so
 * a command that never touches MQTT does not pay for it.
 */
export class DeviceSide {
  private manager?: Promise<ConnectionManager>
  private readonly dataPlanes = new Map<string, Promise<IoTDataPlaneClient>>()

  constructor(private readonly session: AppSession) {}

  /** The thing's own MQTT connection (client id = thing name unless given), shared with others who hold it. */
  async device(connection: Connection, thingName: string, clientId?: string): Promise<ConnectionLease> {
    const [{ deviceTarget }, manager, iot, endpoint] = await Promise.all([
      import('../core/mqtt'),
      this.connections(),
      this.session.iotClient(connection),
      deviceEndpoint(this.session, connection)
    ])
    return manager.acquire(deviceTarget({ iot, vault: this.session.vault, thingName, endpoint, ...(clientId ? { clientId } : {}) }))
  }

  /** An operator connection with the connection's AWS credentials: may watch any thing's shadow its IAM policy allows. */
  async operator(connection: Connection, clientId: string): Promise<ConnectionLease> {
    const [{ operatorTarget }, manager, endpoint] = await Promise.all([import('../core/mqtt'), this.connections(), operatorEndpoint(this.session, connection)])
    return manager.acquire(operatorTarget({ ...endpoint, clientId }))
  }

  /** The HTTP data plane (Device Shadow REST API) of a connection. */
  dataPlane(connection: Connection): Promise<IoTDataPlaneClient> {
    const key = JSON.stringify(connection)
    let client = this.dataPlanes.get(key)
    if (!client) {
      client = this.createDataPlane(connection)
      this.dataPlanes.set(key, client)
      client.catch(() => this.dataPlanes.delete(key))
    }
    return client
  }

  /** Disconnects every MQTT connection and destroys the HTTP clients, so the process can exit. */
  async close(): Promise<void> {
    const manager = await this.manager?.catch(() => undefined)
    this.manager = undefined
    await manager?.closeAll()
    for (const client of this.dataPlanes.values()) (await client.catch(() => undefined))?.destroy()
    this.dataPlanes.clear()
  }

  private connections(): Promise<ConnectionManager> {
    this.manager ??= import('../core/mqtt').then(({ ConnectionManager }) => new ConnectionManager())
    return this.manager
  }

  private async createDataPlane(connection: Connection): Promise<IoTDataPlaneClient> {
    switch (connection.kind) {
      case 'local': {
        const core = await this.session.localIotCore()
        return createDataPlaneClient({
          region: core.region,
          endpoint: core.dataPlaneUrl,
          credentials: { accessKeyId: core.accessKeyId, secretAccessKey: core.secretAccessKey }
        })
      }
      case 'endpoint':
        // A custom endpoint (moto, LocalStack, a proxy) serves the data plane at the same address.
        return createDataPlaneClient({ region: connection.region, endpoint: connection.url })
      case 'profile': {
        const region = await this.session.requiredProfileRegion(connection)
        const host = await describeDataEndpoint(await this.session.iotClient(connection))
        return createDataPlaneClient({ region, profile: connection.profile, endpoint: `https://${host}` })
      }
    }
  }
}
