import { randomUUID } from 'node:crypto'
import tls from 'node:tls'
import { Aedes, type Client, type PublishPacket } from 'aedes'
import type { LocalCa } from '../ca/localCa'
import type { SandboxContext } from '../context'
import type { ShadowMessage } from '../shadow'
import type { SandboxCredentials } from '../http/sigv4'
import { ShadowRequestRate } from '../shadow/requestRate'
import type { CertificateStatus } from '../state/records'
import type { Log } from '../../shared/log'
import { brokerHooks } from './brokerHooks'
import type { ClientConnectivity } from './clientConnectivity'
import { BrokerQuotas } from './brokerQuotas'
import { DeviceConnections } from './deviceConnections'
import { connectedEvent, disconnectedEvent, hasLifecycleEvents, subscriptionEvent, type LifecycleEvent } from './lifecycleEvents'
import { listenOnLoopback, type LoopbackListeners } from './loopbackListeners'
import { OperatorUpgrades } from './operatorUpgrades'
import type { RetainedMessages } from './retainedMessages'
import { gatewayTlsIdentity, GATEWAY_HOST } from './serverIdentity'
import { DEFAULT_SESSION_EXPIRY_MS, SessionExpiry } from './sessionExpiry'
import { answerShadowRequest } from './shadowRequests'
import { startWebSocketListener, WEBSOCKET_PATH } from './webSocketListener'

// The Local IoT Core's device gateway: MQTT 3.1.1 (Aedes) over mutual TLS on loopback, where a
// device is its certificate (research/mqtt-shadow.md §1.3) and every packet is judged by the IoT
// policy engine (brokerHooks), and MQTT over WebSocket with SigV4 for operators holding the sandbox's
// credentials (webSocketListener). It serves the Device Shadow topics, keeps retained messages in the
// sandbox's store and publishes AWS's lifecycle events.

export interface DeviceGatewayOptions {
  ctx: SandboxContext
  ca: LocalCa
  /** Default 0: any free port. Served on 127.0.0.1 and, when the machine has it, on ::1 at the same port. */
  port?: number
  /** MQTT over WebSocket's port (AWS: 443). Default 0: any free port, on the same loopback addresses. */
  webSocketPort?: number
  /** The sandbox's IAM credentials: an upgrade signed with them is an operator connection. */
  credentials: SandboxCredentials
  /** Where retained messages are kept (the HTTP data plane reads them there too). */
  retained: RetainedMessages
  /** How long a persistent session outlives its connection (AWS: 1 h). */
  sessionExpiryMs?: number
  /** Where each client id's connection state is kept (GetThingConnectivityData reads it). */
  connectivity: ClientConnectivity
  /** AWS's broker quotas and the shadow request rate; off by default. */
  throttling?: { shadowRequestRate: ShadowRequestRate }
  log: Log
}

/** A message published by the HTTP data plane (Publish). */
export interface GatewayMessage {
  topic: string
  payload: Buffer
  qos: 0 | 1
  retain: boolean
}

export interface DeviceGateway {
  /** The host name devices dial; the server certificate is valid for it, 127.0.0.1 and ::1. */
  host: string
  port: number
  /** `wss://localhost:<port>/mqtt`: MQTT over WebSocket, signed with SigV4 (service iotdevicegateway). */
  webSocketUrl: string
  /** Publishes shadow messages made elsewhere (the HTTP data plane's update/delta and update/documents). */
  publish(messages: readonly ShadowMessage[]): void
  /**
   * Publishes a message as AWS's HTTP Publish does: to the subscribers, kept when retained, and, on a
   * shadow request topic, answered by the shadow service. Resolves once the broker took it.
   */
  publishMessage(message: GatewayMessage): Promise<void>
  /** Closes the connections of a certificate that is no longer ACTIVE. */
  certificateStatusChanged(certificateId: string, status: CertificateStatus): void
  close(): Promise<void>
}

const noop = (): void => {}

export async function startDeviceGateway(options: DeviceGatewayOptions): Promise<DeviceGateway> {
  const { ctx, log } = options
  const connections = new DeviceConnections()
  const operators = new OperatorUpgrades()
  const quotas = options.throttling ? new BrokerQuotas() : undefined
  const shadowThrottling = options.throttling ? { rate: options.throttling.shadowRequestRate, now: ctx.now } : undefined
  const clients = (): Record<string, Client> => (broker as unknown as { clients: Record<string, Client> }).clients

  const publishJson = (topic: string, payload: unknown): void =>
    broker.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(payload)), qos: 1, retain: false, dup: false }, noop)
  const publishEvent = (event: LifecycleEvent): void => publishJson(event.topic, event.payload)
  const publishShadowMessages = (messages: readonly ShadowMessage[]): void => {
    for (const message of messages) publishJson(message.topic, message.payload)
  }
  const answerShadow = (topic: string, payload: Buffer): void => {
    try {
      const messages = answerShadowRequest(ctx.shadows, topic, payload, shadowThrottling)
      if (messages) publishShadowMessages(messages)
    } catch (error) {
      log.error({ err: error, topic }, 'The shadow service failed on an MQTT request')
    }
  }

  // The closures above run only once the broker exists (hooks and events fire after createBroker).
  const broker: Aedes = await Aedes.createBroker({
    ...brokerHooks({ ctx, connections, operators, quotas, log, connectedClient: (id) => clients()[id], newSessionId: randomUUID }),
    published(packet, client, callback) {
      // The broker's own `$SYS` messages are never retained; AWS refuses retained `$` topics.
      if (packet.retain && !packet.topic.startsWith('$')) {
        try {
          options.retained.record({ topic: packet.topic, payload: packet.payload as Buffer, qos: packet.qos })
        } catch (error) {
          log.error({ err: error, topic: packet.topic }, 'A retained message could not be stored')
        }
      }
      if (client && packet.topic.startsWith('$aws/things/')) answerShadow(packet.topic, packet.payload as Buffer)
      callback()
    }
  })
  await seedRetainedMessages(broker, options.retained)
  if (quotas) discardOverQuotaPublishes(broker, quotas)

  const sessions = new SessionExpiry(options.sessionExpiryMs ?? DEFAULT_SESSION_EXPIRY_MS, (clientId) => {
    if (clients()[clientId]) return
    void forgetSession(broker, clientId).catch((error) => log.warn({ err: error, clientId }, 'An expired MQTT session could not be removed'))
  })

  broker.on('clientReady', (client) => {
    sessions.resumed(client.id)
    const connection = connections.of(client)
    if (!connection) return
    const timestamp = ctx.now()
    options.connectivity.connected(client.id, {
      timestamp,
      sessionIdentifier: connection.sessionIdentifier,
      keepAliveSeconds: connection.keepAliveSeconds ?? 0,
      cleanSession: client.clean,
      ...(connection.sourceIp !== undefined ? { sourceIp: connection.sourceIp } : {})
    })
    if (hasLifecycleEvents(client.id)) publishEvent(connectedEvent(connection, timestamp))
  })
  broker.on('clientDisconnect', (client) => {
    if (!client.clean) sessions.disconnected(client.id)
    const connection = connections.of(client)
    if (!connection) return
    const disconnected = (client as Client & { _disconnected?: boolean })._disconnected
    const reason = connection.disconnectReason ?? (disconnected ? 'CLIENT_INITIATED_DISCONNECT' : broker.closed ? 'SERVER_INITIATED_DISCONNECT' : 'CONNECTION_LOST')
    const timestamp = ctx.now()
    options.connectivity.disconnected(client.id, connection.sessionIdentifier, reason, timestamp)
    if (hasLifecycleEvents(client.id)) publishEvent(disconnectedEvent(connection, reason, timestamp))
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
  const listeners: LoopbackListeners[] = []
  try {
    const mtls = await listenOnLoopback(() => {
      // noDelay: a delta or an accepted must not wait ~40 ms behind the previous packet's ACK (Nagle).
      const server = tls.createServer({ ...tlsOptions, noDelay: true }, (socket) => broker.handle(socket))
      // Garbage, plain TCP and failed handshakes end in tlsClientError; the socket is already destroyed.
      server.on('tlsClientError', noop)
      return server
    }, options.port ?? 0)
    listeners.push(mtls)
    const webSocket = await startWebSocketListener({
      tls: identity,
      port: options.webSocketPort ?? 0,
      credentials: options.credentials,
      region: ctx.region,
      operators,
      handle: (stream, req) => broker.handle(stream, req),
      log
    })
    listeners.push(webSocket)

    let closed = false
    return {
      host: GATEWAY_HOST,
      port: mtls.port,
      webSocketUrl: `wss://${GATEWAY_HOST}:${webSocket.port}${WEBSOCKET_PATH}`,
      publish: publishShadowMessages,
      async publishMessage(message) {
        await new Promise<void>((resolve, reject) =>
          broker.publish({ cmd: 'publish', dup: false, ...message }, (error) => (error ? reject(error) : resolve()))
        )
        if (message.topic.startsWith('$aws/things/')) answerShadow(message.topic, message.payload)
      },
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
        // The broker first, so its clients learn it was the server that ended their connection.
        await new Promise<void>((resolve) => broker.close(() => resolve()))
        await Promise.all(listeners.map((listener) => listener.close()))
      }
    }
  } catch (error) {
    await Promise.all(listeners.map((listener) => listener.close()))
    await new Promise<void>((resolve) => broker.close(() => resolve()))
    throw error
  }
}

/**
 * Makes the broker drop the publishes a connection sent beyond AWS's rate. Aedes has no hook that
 * ignores a publish without closing the connection, so its publish step skips the marked packets.
 */
function discardOverQuotaPublishes(broker: Aedes, quotas: BrokerQuotas): void {
  type Done = (error?: Error) => void
  // Aedes calls publish(packet, client, done) for a client's packets and publish(packet, done) for its own.
  type Publish = (packet: PublishPacket, client: Client | null | Done, done?: Done) => void
  const instance = broker as unknown as { publish: Publish }
  const publish = instance.publish.bind(broker)
  instance.publish = (packet, client, done) => {
    if (!quotas.isDiscarded(packet)) return publish(packet, client, done)
    const callback = typeof client === 'function' ? client : done
    callback?.()
  }
}

/** Fills the broker's retained set from the store, before any client can subscribe. */
async function seedRetainedMessages(broker: Aedes, retained: RetainedMessages): Promise<void> {
  const persistence = (broker as unknown as { persistence: { storeRetained(packet: unknown): Promise<void> } }).persistence
  for (const record of retained.list())
    await persistence.storeRetained({ cmd: 'publish', topic: record.topic, payload: Buffer.from(record.payload, 'base64'), qos: record.qos, retain: true, dup: false })
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
