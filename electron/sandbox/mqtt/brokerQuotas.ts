import type { Client, PublishPacket } from 'aedes'
import { Throttle } from '../http/throttle'

// AWS IoT's message broker quotas (research/iot-core.md §3.6, §5.2; mqtt-shadow.md §2.1, §2.3),
// enforced only when the sandbox throttles, each the way AWS answers it:
// - more than 8 filters in one SUBSCRIBE: the connection is closed (CLIENT_ERROR);
// - beyond 50 subscriptions on a connection: SUBACK 0x80 for the filters over the limit (AWS's
//   throttling answer under MQTT 3.1.1), the connection stays;
// - beyond 100 publishes per second on a connection: the excess is discarded (a QoS 1 publish is
//   still acknowledged; whether AWS acknowledges it is UNCONFIRMED);
// - beyond 1 CONNECT per second per client id: the CONNECT is dropped without CONNACK.

export const AWS_BROKER_QUOTAS = {
  maxFiltersPerSubscribe: 8,
  maxSubscriptionsPerConnection: 50,
  publishesPerSecondPerConnection: 100,
  connectsPerSecondPerClientId: 1
} as const

export type SubscribeVerdict = 'allowed' | 'too many filters in one SUBSCRIBE' | 'over the subscriptions of a connection'

interface ClientInternals {
  /** Aedes's MQTT parser of the connection; its 'packet' listeners see each packet before the broker handles it. */
  _parser: NodeJS.EventEmitter
  subscriptions: Record<string, unknown>
}

interface ConnectionQuota {
  publishes: Throttle
  /** Filters of the SUBSCRIBE being handled that are refused, and why. */
  refused: Map<string, SubscribeVerdict>
}

export class BrokerQuotas {
  private readonly connects = new Throttle(() => AWS_BROKER_QUOTAS.connectsPerSecondPerClientId)
  private readonly byClient = new WeakMap<Client, ConnectionQuota>()
  private readonly discardedPackets = new WeakSet<PublishPacket>()

  /** Counts a CONNECT of the client id; false when it is over AWS's rate. */
  connectAllowed(clientId: string): boolean {
    return this.connects.tryTake(clientId)
  }

  /** Starts counting an admitted connection's publishes and subscriptions. */
  admit(client: Client): void {
    const quota: ConnectionQuota = { publishes: new Throttle(() => AWS_BROKER_QUOTAS.publishesPerSecondPerConnection), refused: new Map() }
    this.byClient.set(client, quota)
    const internals = client as unknown as ClientInternals
    // The whole SUBSCRIBE is judged before Aedes asks authorizeSubscribe about its filters one by one.
    internals._parser.prependListener('packet', (packet: { cmd: string; subscriptions?: Array<{ topic: string }> }) => {
      if (packet.cmd !== 'subscribe' || !packet.subscriptions) return
      const filters = packet.subscriptions.map((subscription) => subscription.topic)
      if (filters.length > AWS_BROKER_QUOTAS.maxFiltersPerSubscribe) {
        for (const filter of filters) quota.refused.set(filter, 'too many filters in one SUBSCRIBE')
        return
      }
      const held = new Set(Object.keys(internals.subscriptions))
      for (const filter of filters) {
        if (held.has(filter)) continue
        if (held.size >= AWS_BROKER_QUOTAS.maxSubscriptionsPerConnection) quota.refused.set(filter, 'over the subscriptions of a connection')
        else held.add(filter)
      }
    })
  }

  /** What AWS does with the filter of the SUBSCRIBE being handled. */
  subscribeVerdict(client: Client, filter: string): SubscribeVerdict {
    const refused = this.byClient.get(client)?.refused
    const verdict = refused?.get(filter)
    if (verdict === undefined) return 'allowed'
    refused!.delete(filter)
    return verdict
  }

  /** Counts a publish of the connection; when it is over AWS's rate, the packet is marked to be discarded. */
  countPublish(client: Client, packet: PublishPacket): void {
    const quota = this.byClient.get(client)
    if (quota && !quota.publishes.tryTake('publish')) this.discardedPackets.add(packet)
  }

  /** Whether the broker must drop the packet instead of publishing it. */
  isDiscarded(packet: PublishPacket): boolean {
    return this.discardedPackets.has(packet)
  }
}
