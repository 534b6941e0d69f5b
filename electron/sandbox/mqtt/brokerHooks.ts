import type { TLSSocket } from 'node:tls'
import type { AedesOptions, AedesPublishPacket, Client, ConnectPacket, PublishPacket, Subscription } from 'aedes'
import type { SandboxContext } from '../context'
import { authorizeDevice } from '../policies/connectionAuthorization'
import type { ThingPrincipalRecord } from '../state/records'
import type { Log } from '../../shared/log'
import { certificateRefusal, presentedCertificateId } from './clientCertificate'
import { AWS_BROKER_QUOTAS, type BrokerQuotas } from './brokerQuotas'
import type { DeviceConnection, DeviceConnections } from './deviceConnections'
import type { DisconnectReason } from './lifecycleEvents'
import type { OperatorUpgrades } from './operatorUpgrades'
import { AWS_MQTT_LIMITS, awsFilterMatches, clampKeepAlive, isSubscribableReservedFilter, publishTopicProblem, topicSizeProblem } from './topicRules'

// AWS IoT's broker rules on Aedes's hooks (research/mqtt-shadow.md §1.6, §2): a refused CONNECT is
// dropped without CONNACK; a refused PUBLISH or SUBSCRIBE closes the connection (MQTT 3.1.1); a
// refused Receive only skips that delivery. Every decision reads the registry when it is made, so
// a policy change applies to the next packet. An operator (MQTT over WebSocket signed with the
// sandbox's credentials) passes every policy check but keeps AWS's broker rules; AWS's quotas apply
// to everyone when the sandbox throttles (brokerQuotas).

type Hooks = Required<Pick<AedesOptions, 'preConnect' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>>

export interface BrokerHookContext {
  ctx: SandboxContext
  connections: DeviceConnections
  /** The WebSocket upgrades signed with the sandbox's credentials: their connections are operators. */
  operators: OperatorUpgrades
  /** The connected client with that id, if any (to record why a duplicate client id replaces it). */
  connectedClient(clientId: string): Client | undefined
  newSessionId(): string
  /** AWS's broker quotas, when the sandbox throttles. */
  quotas?: BrokerQuotas
  log: Log
}

type ConnectionPrincipal = Pick<DeviceConnection, 'certificateId' | 'operator' | 'principalIdentifier' | 'thingName'>

class Refusal extends Error {
  constructor(
    message: string,
    readonly reason: DisconnectReason
  ) {
    super(message)
  }
}

export function brokerHooks(hooks: BrokerHookContext): Hooks {
  const { ctx, connections, quotas, log } = hooks

  const allowed = (client: Client, action: string, resource: string): boolean => {
    const connection = connections.of(client)
    if (connection?.operator) return true
    if (connection?.certificateId === undefined) return false
    const identity = {
      certificateId: connection.certificateId,
      clientId: connection.clientId,
      ...(connection.sourceIp !== undefined ? { sourceIp: connection.sourceIp } : {}),
      protocol: 'mqtt' as const
    }
    return authorizeDevice(ctx.store, identity, { action, resource: ctx.arn(resource) }).decision === 'ALLOWED'
  }

  /** Ends the client's connection for `refusal` (the hook's callback error closes it). */
  const refuse = (client: Client | null, refusal: Refusal): Refusal => {
    if (client) connections.ending(client, refusal.reason)
    log.info({ clientId: client?.id, reason: refusal.reason }, `MQTT connection closed: ${refusal.message}`)
    return refusal
  }

  /**
   * Who is connecting: an operator when its WebSocket upgrade was signed with the sandbox's
   * credentials, else the registered ACTIVE certificate it presented (with the thing it is
   * exclusively attached to, for the lifecycle events), else a refusal.
   */
  const principalOf = (client: Client, socket: TLSSocket): ConnectionPrincipal | { refusal: string } => {
    const operator = hooks.operators.of(client.req)
    if (operator) return { operator, principalIdentifier: operator.accessKeyId }
    const certificateId = presentedCertificateId(socket)
    const refusal = certificateRefusal(ctx.store, certificateId)
    if (refusal !== undefined || certificateId === undefined) return { refusal: refusal ?? 'no certificate' }
    const exclusive = ctx.store.filter<ThingPrincipalRecord>(
      'thingPrincipals',
      (p) => p.thingPrincipalType === 'EXCLUSIVE_THING' && p.principal === ctx.arn(`cert/${certificateId}`)
    )[0]
    return { certificateId, principalIdentifier: certificateId, ...(exclusive ? { thingName: exclusive.thingName } : {}) }
  }

  const publishRefusal = (client: Client, packet: PublishPacket): Refusal | undefined => {
    const topic = packet.topic
    if (packet.qos === 2) return new Refusal('QoS 2 is not supported by AWS IoT', 'CLIENT_ERROR')
    const problem = publishTopicProblem(topic, packet.retain)
    if (problem) return new Refusal(`publish to ${topic}: ${problem.message}`, 'CLIENT_ERROR')
    const payloadBytes = packet.payload?.length ?? 0
    if (payloadBytes > AWS_MQTT_LIMITS.maxPayloadBytes)
      return new Refusal(`publish to ${topic}: the payload is ${payloadBytes} bytes; AWS IoT allows ${AWS_MQTT_LIMITS.maxPayloadBytes}`, 'CLIENT_ERROR')
    if (!allowed(client, 'iot:Publish', `topic/${topic}`)) return new Refusal(`iot:Publish on topic/${topic} is not allowed`, 'AUTH_ERROR')
    if (packet.retain && !allowed(client, 'iot:RetainPublish', `topic/${topic}`))
      return new Refusal(`iot:RetainPublish on topic/${topic} is not allowed`, 'AUTH_ERROR')
    return undefined
  }

  return {
    preConnect(client: Client, packet: ConnectPacket, callback) {
      const drop = (why: string): void => {
        log.info({ clientId: packet.clientId }, `MQTT CONNECT refused: ${why}`)
        callback(new Error(why), false)
      }
      const clientId = packet.clientId ?? ''
      const socket = (client.req?.socket ?? client.conn) as TLSSocket
      const sourceIp = socket.remoteAddress?.replace(/^::ffff:/, '')
      const principal = principalOf(client, socket)
      if ('refusal' in principal) return drop(principal.refusal)
      if (clientId === '') return drop('the client id is empty')
      if (clientId.startsWith('$')) return drop(`client id ${clientId} is reserved (it starts with $)`)
      if (Buffer.byteLength(clientId, 'utf8') > AWS_MQTT_LIMITS.maxClientIdBytes)
        return drop(`the client id is longer than ${AWS_MQTT_LIMITS.maxClientIdBytes} bytes`)
      if (packet.will && (packet.will.qos === 2 || topicSizeProblem(packet.will.topic) !== undefined))
        return drop('the will message has QoS 2 or a topic AWS IoT does not accept')
      if (principal.certificateId !== undefined) {
        const certificateId = principal.certificateId
        const identity = { certificateId, clientId, ...(sourceIp !== undefined ? { sourceIp } : {}), protocol: 'mqtt' as const }
        const decision = authorizeDevice(ctx.store, identity, { action: 'iot:Connect', resource: ctx.arn(`client/${clientId}`) }).decision
        if (decision !== 'ALLOWED') return drop(`iot:Connect on client/${clientId} is not allowed for certificate ${certificateId} (${decision})`)
      }

      if (quotas && !quotas.connectAllowed(clientId)) return drop(`client id ${clientId} connected less than a second ago (AWS allows 1 CONNECT per second per client id)`)

      packet.keepalive = clampKeepAlive(packet.keepalive ?? 0)
      const replaced = hooks.connectedClient(clientId)
      if (replaced) connections.ending(replaced, 'DUPLICATE_CLIENTID')
      connections.admit(client, {
        clientId,
        ...principal,
        sessionIdentifier: hooks.newSessionId(),
        keepAliveSeconds: packet.keepalive,
        ...(sourceIp !== undefined ? { sourceIp, ipAddress: sourceIp } : {})
      })
      quotas?.admit(client)
      callback(null, true)
    },

    authorizePublish(client, packet, callback) {
      // A will left by a connection of an earlier broker run has no client: nobody to authorise it.
      if (!client) return callback(new Error('a will without its client is not published'))
      const refusal = publishRefusal(client, packet)
      if (!refusal) quotas?.countPublish(client, packet)
      callback(refusal ? refuse(client, refusal) : null)
    },

    authorizeSubscribe(client, subscription: Subscription, callback) {
      const filter = subscription.topic
      const quota = quotas?.subscribeVerdict(client, filter) ?? 'allowed'
      if (quota === 'too many filters in one SUBSCRIBE')
        return callback(refuse(client, new Refusal(`subscribe: more than ${AWS_BROKER_QUOTAS.maxFiltersPerSubscribe} filters in one SUBSCRIBE`, 'CLIENT_ERROR')))
      const refusal =
        subscription.qos === 2
          ? new Refusal(`subscribe to ${filter}: QoS 2 is not supported by AWS IoT`, 'CLIENT_ERROR')
          : topicSizeProblem(filter) !== undefined
            ? new Refusal(`subscribe to ${filter}: ${topicSizeProblem(filter)}`, 'CLIENT_ERROR')
            : filter.startsWith('$') && !isSubscribableReservedFilter(filter)
              ? new Refusal(`subscribe to ${filter}: the topic is reserved`, 'CLIENT_ERROR')
              : !allowed(client, 'iot:Subscribe', `topicfilter/${filter}`)
                ? new Refusal(`iot:Subscribe on topicfilter/${filter} is not allowed`, 'AUTH_ERROR')
                : undefined
      if (refusal) return callback(refuse(client, refusal))
      // Over the connection's subscriptions: SUBACK 0x80 for this filter, the connection stays.
      if (quota === 'over the subscriptions of a connection') {
        log.info({ clientId: client.id, filter }, `MQTT subscription refused: more than ${AWS_BROKER_QUOTAS.maxSubscriptionsPerConnection} on the connection`)
        return callback(null, null)
      }
      callback(null, subscription)
    },

    authorizeForward(client, packet: AedesPublishPacket) {
      const subscriptions = (client as Client & { subscriptions: Record<string, unknown> }).subscriptions
      const exact = Object.hasOwn(subscriptions, packet.topic)
      // A retained message reaches only a filter equal to its topic; a live one only filters that
      // match it the AWS way (`a/#` does not match `a`).
      if (!exact && (packet.retain || !Object.keys(subscriptions).some((filter) => awsFilterMatches(filter, packet.topic)))) return null
      return allowed(client, 'iot:Receive', `topic/${packet.topic}`) ? packet : null
    }
  }
}
