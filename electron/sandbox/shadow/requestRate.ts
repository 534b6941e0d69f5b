import { Throttle } from '../http/throttle'

// AWS's Device Shadow request rate (research/iot-core.md §5.2): 20 requests per second per thing,
// counted over MQTT and HTTP together, enforced only when the sandbox throttles. AWS's other shadow
// limit, 10 requests in flight per thing, cannot be reached here: the sandbox answers each request
// before it reads the next one.

export const SHADOW_REQUESTS_PER_SECOND_PER_THING = 20

export class ShadowRequestRate {
  private readonly throttle = new Throttle(() => SHADOW_REQUESTS_PER_SECOND_PER_THING)

  /** Counts one request for the thing; false when the thing is over its rate. */
  allow(thingName: string): boolean {
    return this.throttle.tryTake(thingName)
  }
}
