import { randomUUID } from 'node:crypto'
import net from 'node:net'
import tls from 'node:tls'
import { Aedes, type Client } from 'aedes'
import type { LocalCa } from '../ca/localCa'
import type { SandboxContext } from '../context'
import type { ShadowMessage } from '../shadow'
import type { CertificateStatus } from '../state/records'
import type { Log } from '../../shared/log'
import { brokerHooks } from './brokerHooks'
import { DeviceConnections } from './deviceConnections'
import { connectedEvent, disconnectedEvent, hasLifecycleEvents, subscriptionEvent, type LifecycleEvent } from './lifecycleEvents'
import { gatewayTlsIdentity, GATEWAY_HOST } from './serverIdentity'
import { DEFAULT_SESSION_EXPIRY_MS, SessionExpiry } from './sessionExpiry'
import { answerShadowRequest } from './shadowRequests'

// The Local IoT Core's device gateway: MQTT 3.1.1 (Aedes) over mutual TLS on loopback, where a
// device is its certificate (research/mqtt-shadow.md §1.3) and every packet is judged by the IoT
// policy engine (brokerHooks). It serves the Device Shadow topics and publishes AWS's lifecycle events.

export interface DeviceGatewayOptions {
  ctx: SandboxContext
  ca: LocalCa
  /** Default 0: any free port. Served on 127.0.0.1 and, when the machine has it, on ::1 at the same port. */
  port?: number
  /** How long a persistent session outlives its connection (AWS: 1 h). */
  sessionExpiryMs?: number
  log: Log
}

export interface DeviceGateway {
  /** The host name devices dial; the server certificate is valid for it, 127.0.0.1 and ::1. */
  host: string
  port: number
  /** Publishes shadow messages made elsewhere (the HTTP data plane's update/delta and update/documents). */
  publish(messages: readonly ShadowMessage[]): void
  /** Closes the connections of a certificate that is no longer ACTIVE. */
  certificateStatusChanged(certificateId: string, status: CertificateStatus): void
  close(): Promise<void>
}

const noop = (): void => {}

export async function startDeviceGateway(options: DeviceGatewayOptions): Promise<DeviceGateway> {
  const { ctx, log } = options
  const connections = new DeviceConnections()
  const clients = (): Record<string, Client> => (broker as unknown as { clients: Record<string, Client> }).clients

  const publishJson = (topic: string, payload: unknown): void =>
    broker.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(payload)), qos: 1, retain: false, dup: false }, noop)
  const publishEvent = (event: LifecycleEvent): void => publishJson(event.topic, event.payload)
  const publishShadowMessages = (messages: readonly ShadowMessage[]): void => {
    for (const message of messages) publishJson(message.topic, message.payload)
  }

  // The closures above run only once the broker exists (hooks and events fire after createBroker).
  const broker: Aedes = await Aedes.createBroker({
    ...brokerHooks({ ctx, connections, log, connectedClient: (id) => clients()[id], newSessionId: randomUUID }),
    published(packet, client, callback) {
      if (client && packet.topic.startsWith('$aws/things/')) {
        try {
          const messages = answerShadowRequest(ctx.shadows, packet.topic, packet.payload as Buffer)
          if (messages) publishShadowMessages(messages)
        } catch (error) {
          log.error({ err: error, topic: packet.topic }, 'The shadow service failed on an MQTT request')
        }
      }
      callback()
    }
  })

  const sessions = new SessionExpiry(options.sessionExpiryMs ?? DEFAULT_SESSION_EXPIRY_MS, (clientId) => {
    if (clients()[clientId]) return
    void forgetSession(broker, clientId).catch((error) => log.warn({ err: error, clientId }, 'An expired MQTT session could not be removed'))
  })

  broker.on('clientReady', (client) => {
    sessions.resumed(client.id)
    const connection = connections.of(client)
    if (connection && hasLifecycleEvents(client.id)) publishEvent(connectedEvent(connection, ctx.now()))
  })
  broker.on('clientDisconnect', (client) => {
    if (!client.clean) sessions.disconnected(client.id)
    const connection = connections.of(client)
    if (!connection || !hasLifecycleEvents(client.id)) return
    const disconnected = (client as Client & { _disconnected?: boolean })._disconnected
    const reason = connection.disconnectReason ?? (disconnected ? 'CLIENT_INITIATED_DISCONNECT' : broker.closed ? 'SERVER_INITIATED_DISCONNECT' : 'CONNECTION_LOST')
    publishEvent(disconnectedEvent(connection, reason, ctx.now()))
  })
  broker.on('keepaliveTimeout', (client) => connections.ending(client, 'MQTT_KEEP_ALIVE_TIMEOUT'))
  broker.on('clientError', (client) => connections.ending(client, 'CLIENT_ERROR'))
  broker.on('connectionError', noop)
  broker.on('subscribe', (subscriptions, client) => {
    const connection = connections.of(client)
    if (connection && hasLifecycleEvents(client.id))
      publishEvent(subscriptionEvent(connection, 'subscribed', subscriptions.map((s) => s.topic), ctx.now()))
  })
  broker.on('unsubscribe', (topics, client) => {
    // Aedes also reports the subscriptions a closing connection drops; AWS has no event for those.
    const connection = connections.of(client)
    if (connection && !client.closed && hasLifecycleEvents(client.id)) publishEvent(subscriptionEvent(connection, 'unsubscribed', topics, ctx.now()))
  })

  const identity = gatewayTlsIdentity(options.ca, ctx.now())
  const tlsOptions: tls.TlsOptions = {
    key: identity.key,
    cert: identity.certificateChain,
    ca: [options.ca.certificatePem],
    // Every certificate in the registry may connect, signed by this CA or registered without one;
    // preConnect admits by certificate id and status. ALPNProtocols stays unset: the device SDK offers
    // x-amzn-mqtt-ca, and a server list without it would fail the handshake.
    requestCert: true,
    rejectUnauthorized: false
  }
  const servers: tls.Server[] = []
  const serve = (host: string, port: number): Promise<tls.Server> =>
    new Promise((resolve, reject) => {
      const server = tls.createServer(tlsOptions, (socket) => broker.handle(socket))
      // Garbage, plain TCP and failed handshakes end in tlsClientError; the socket is already destroyed.
      server.on('tlsClientError', noop)
      server.once('error', reject)
      server.listen({ host, port }, () => {
        server.off('error', reject)
        resolve(server)
      })
    })
  try {
    const first = await serve('127.0.0.1', options.port ?? 0)
    servers.push(first)
    const port = (first.address() as net.AddressInfo).port
    // localhost may resolve to ::1 first (macOS): serve there too when the machine has IPv6 loopback.
    const ipv6 = await serve('::1', port).catch(() => undefined)
    if (ipv6) servers.push(ipv6)

    let closed = false
    return {
      host: GATEWAY_HOST,
      port,
      publish: publishShadowMessages,
      certificateStatusChanged(certificateId, status) {
        if (status === 'ACTIVE') return
        for (const client of Object.values(clients())) {
          if (connections.of(client)?.certificateId !== certificateId) continue
          connections.ending(client, 'AUTH_ERROR')
          client.close()
        }
      },
      async close() {
        if (closed) return
        closed = true
        sessions.close()
        const stopped = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))
        await new Promise<void>((resolve) => broker.close(() => resolve()))
        await Promise.all(stopped)
      }
    }
  } catch (error) {
    for (const server of servers) server.close()
    await new Promise<void>((resolve) => broker.close(() => resolve()))
    throw error
  }
}

/** Removes an expired persistent session: its subscriptions, queued messages and QoS 2 state. */
async function forgetSession(broker: Aedes, clientId: string): Promise<void> {
  const persistence = (broker as unknown as { persistence: SessionPersistence }).persistence
  const client = { id: clientId }
  await persistence.cleanSubscriptions(client)
  for await (const packet of persistence.outgoingStream(client)) await persistence.outgoingClearMessageId(client, packet)
  await persistence.cleanIncoming?.(client)
}

interface SessionPersistence {
  cleanSubscriptions(client: { id: string }): Promise<void>
  outgoingStream(client: { id: string }): AsyncIterable<{ messageId?: number }>
  outgoingClearMessageId(client: { id: string }, packet: { messageId?: number }): Promise<unknown>
  cleanIncoming?(client: { id: string }): Promise<void>
}
