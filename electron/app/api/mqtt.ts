import { randomUUID } from 'node:crypto'
import { GetRetainedMessageCommand, ListRetainedMessagesCommand } from '@aws-sdk/client-iot-data-plane'
import pLimit from 'p-limit'
import type { Connection, Handlers, MqttMessageView, MqttSubscriptionView, ParsedArgs, RetainedMessageView } from '../../contract'
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

  handlers(): Pick<Handlers, 'mqtt.subscribe' | 'mqtt.publish' | 'mqtt.unsubscribe' | 'mqtt.listRetained'> {
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
      },
      'mqtt.listRetained': async ({ nextToken, maxResults }) => {
        const dataPlane = await this.ctx.session.deviceSide.dataPlane(this.ctx.connection())
        const page = await dataPlane.send(new ListRetainedMessagesCommand({ nextToken, maxResults: maxResults ?? 50 }))
        // ListRetainedMessages has no payloads: each is read with GetRetainedMessage, a few at a time.
        const limit = pLimit(8)
        const messages = await Promise.all(
          (page.retainedTopics ?? []).map((summary) =>
            limit(async (): Promise<RetainedMessageView | undefined> => {
              const out = await dataPlane.send(new GetRetainedMessageCommand({ topic: summary.topic })).catch((error: unknown) => {
                // Cleared between the list and the read: not retained any more.
                if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined
                throw error
              })
              if (!out?.topic) return undefined
              const { payload, encoding } = payloadText(out.payload ?? new Uint8Array())
              const lastModified = out.lastModifiedTime === undefined ? undefined : new Date(out.lastModifiedTime).toISOString()
              return { topic: out.topic, payload, encoding, payloadSize: out.payload?.length ?? 0, qos: out.qos === 1 ? 1 : 0, ...(lastModified ? { lastModified } : {}) }
            })
          )
        )
        return { messages: messages.filter((m): m is RetainedMessageView => m !== undefined), ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
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
  return { subscriptionId, topic: message.topic, ...payloadText(message.payload), qos: message.qos, retain: message.retain }
}

/** The payload as text when it is UTF-8, else as base64. */
function payloadText(bytes: Uint8Array): { payload: string; encoding: MqttMessageView['encoding'] } {
  try {
    return { payload: strictUtf8.decode(bytes), encoding: 'utf8' }
  } catch {
    return { payload: Buffer.from(bytes).toString('base64'), encoding: 'base64' }
  }
}
