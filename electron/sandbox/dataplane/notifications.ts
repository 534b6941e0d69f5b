import type { ShadowMessage } from '../shadow'

// An accepted HTTP update still produces `update/delta` and `update/documents`, which AWS publishes
// to MQTT subscribers whatever the wire of the request (research/iot-core.md §1.7). The data plane
// hands them to a ShadowNotifier; until the MQTT broker is plugged in, they are dropped.

export interface ShadowNotifier {
  publish(messages: readonly ShadowMessage[]): void
}

const droppingNotifier: ShadowNotifier = { publish: () => {} }

/** The data plane's notifier slot: the broker plugs itself in with `use` once it runs. */
export class ShadowNotifications implements ShadowNotifier {
  private notifier: ShadowNotifier = droppingNotifier

  /** @param onFailure told when the notifier throws; the update was already committed and answered. */
  constructor(private readonly onFailure: (error: unknown) => void = () => {}) {}

  use(notifier: ShadowNotifier): void {
    this.notifier = notifier
  }

  publish(messages: readonly ShadowMessage[]): void {
    if (messages.length === 0) return
    try {
      this.notifier.publish(messages)
    } catch (error) {
      this.onFailure(error)
    }
  }
}
