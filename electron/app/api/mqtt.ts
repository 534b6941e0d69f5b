import { randomUUID } from 'node:crypto'
import type { Connection, Handlers, MqttMessageView, MqttSubscriptionView, ParsedArgs } from '../../contract'
import type { ReceivedMessage } from '../../core/mqtt'
import type { BackendContext } from './context'
import { invalidArguments } from './errors'
import { describeEnd, describeIdentity, sameConnection, type HeldConnection, type MqttLeases } from './mqttLeases'

// mqtt.*: subscribe and publish as the operator or as a thing, so a QA engineer can try exactly
// what a device's policy allows. Each subscription holds its connection until it is unsubscribed;
// a publish holds it for the publish only.

interface Subscribed {
  view: MqttSubscriptionView
  held: HeldConnection
  unsubscribe: () => Promise<void>
  stopWatchingState: () => void
}

type EndedBecause = 'connectionChanged' | 'connectionClosed' | 'closing'

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

export class MqttHandlers {
  private readonly subscriptions = new Map<string, Subscribed>()

  constructor(
    private readonly ctx: BackendContext,
    private readonly leases: MqttLeases
  ) {}

  handlers(): Pick<Handlers, 'mqtt.subscribe' | 'mqtt.publish' | 'mqtt.unsubscribe'> {
    return {
      'mqtt.subscribe': async ({ filter, qos, as }) => {
        const held = await this.hold(as)
        const subscriptionId = randomUUID()
        let unsubscribe: () => Promise<void>
        try {
          unsubscribe = await held.connection.subscribe(filter, qos, (message) => this.ctx.events.emit('mqtt.message', messageView(subscriptionId, message)))
        } catch (error) {
          await held.release()
          throw error
        }
        const view: MqttSubscriptionView = { subscriptionId, filter, qos, identity: held.connection.identity }
        this.subscriptions.set(subscriptionId, {
          view,
          held,
          unsubscribe,
          stopWatchingState: held.connection.onState((state) => {
            if (state.state === 'closed') this.leases.inBackground('Ending a subscription', this.end(subscriptionId, 'connectionClosed'))
          })
        })
        return view
      },
      'mqtt.unsubscribe': async ({ subscriptionId }) => {
        const subscribed = this.subscriptions.get(subscriptionId)
        if (!subscribed) throw invalidArguments('mqtt.unsubscribe', 'subscriptionId', `there is no subscription ${subscriptionId} (it was never made, or has ended)`)
        await this.release(subscriptionId)
        return { unsubscribed: true }
      },
      'mqtt.publish': async ({ topic, payload, encoding, qos, retain, as }) => {
        const held = await this.hold(as)
        const { connection } = held
        let dropped = false
        const stopWatching = connection.onState((state) => (dropped ||= state.state === 'interrupted' || state.state === 'closed'))
        try {
          await connection.publish(topic, encoding === 'base64' ? Buffer.from(payload, 'base64') : payload, { qos, retain })
        } catch (error) {
          // AWS IoT closes the connection on a publish its policy refuses; the connection's own state only says it dropped.
          if (dropped)
            this.ctx.events.emit('mqtt.connectionState', {
              identity: connection.identity,
              state: connection.current,
              message: `${describeIdentity(connection.identity)} was disconnected by the broker for a refused publish: ${(error as Error).message}`
            })
          throw error
        } finally {
          stopWatching()
          await held.release()
        }
        return { published: true }
      }
    }
  }

  /** Ends the subscriptions made on another connection than `now`, saying so. */
  async connectionChanged(now: Connection): Promise<void> {
    const old = [...this.subscriptions.values()].filter((subscribed) => !sameConnection(subscribed.held.opened, now))
    await Promise.all(old.map((subscribed) => this.end(subscribed.view.subscriptionId, 'connectionChanged')))
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions.keys()].map((id) => this.end(id, 'closing')))
  }

  private hold(as: ParsedArgs<'mqtt.subscribe'>['as']): Promise<HeldConnection> {
    return as.thingName === undefined ? this.leases.operator() : this.leases.device(as.thingName)
  }

  private async end(subscriptionId: string, because: EndedBecause): Promise<void> {
    const subscribed = this.subscriptions.get(subscriptionId)
    if (!subscribed) return
    await this.release(subscriptionId)
    const { filter, identity } = subscribed.view
    this.ctx.events.emit('mqtt.subscriptionEnded', { subscriptionId, because, message: `${describeIdentity(identity)} no longer receives ${filter}: ${describeEnd(because)}` })
  }

  private async release(subscriptionId: string): Promise<void> {
    const subscribed = this.subscriptions.get(subscriptionId)
    if (!subscribed) return
    this.subscriptions.delete(subscriptionId)
    subscribed.stopWatchingState()
    await subscribed.unsubscribe().catch(() => undefined)
    await subscribed.held.release()
  }
}

function messageView(subscriptionId: string, message: ReceivedMessage): MqttMessageView {
  let payload: string
  let encoding: MqttMessageView['encoding'] = 'utf8'
  try {
    payload = strictUtf8.decode(message.payload)
  } catch {
    payload = Buffer.from(message.payload).toString('base64')
    encoding = 'base64'
  }
  return { subscriptionId, topic: message.topic, payload, encoding, qos: message.qos, retain: message.retain }
}
