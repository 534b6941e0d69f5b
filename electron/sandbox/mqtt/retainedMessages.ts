import type { RetainedMessageRecord } from '../state/records'
import type { Store } from '../state/store'

// AWS IoT keeps retained messages (for three years) whatever happens to the broker, and serves them
// to MQTT subscribers and to the HTTP data plane alike. The sandbox's store holds them: every
// retained publish, from MQTT or from HTTP Publish, is recorded here as the broker takes it, and the
// broker's own retained set is filled from here when it starts, so both sides always agree.

export interface RetainedPublish {
  topic: string
  payload: Buffer
  qos: number
}

export class RetainedMessages {
  constructor(
    private readonly store: Store,
    /** Epoch milliseconds. */
    private readonly now: () => number
  ) {}

  /** Records a retained publish; an empty payload removes the topic's retained message, as on AWS. */
  record(message: RetainedPublish): void {
    if (message.payload.length === 0) {
      if (this.store.get('retained', message.topic) !== undefined) this.store.commit([{ op: 'delete', collection: 'retained', key: message.topic }])
      return
    }
    const value: RetainedMessageRecord = {
      topic: message.topic,
      payload: message.payload.toString('base64'),
      qos: message.qos === 1 ? 1 : 0,
      lastModifiedTime: this.now()
    }
    this.store.commit([{ op: 'put', collection: 'retained', key: message.topic, value }])
  }

  get(topic: string): RetainedMessageRecord | undefined {
    return this.store.get<RetainedMessageRecord>('retained', topic)
  }

  list(): RetainedMessageRecord[] {
    return this.store.list<RetainedMessageRecord>('retained')
  }
}
