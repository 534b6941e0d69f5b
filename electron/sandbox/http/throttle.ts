import { IotError } from './iotError'
import { rateFor } from './rates'

// One token bucket per operation: it holds up to one second's worth of calls and refills at the
// operation's rate, so bursts up to the rate pass and a sustained excess is refused like AWS does.

interface Bucket {
  tokens: number
  updatedAt: number
}

export class Throttle {
  private readonly buckets = new Map<string, Bucket>()

  constructor(
    private readonly rates: (operation: string) => number = rateFor,
    /** Monotonic milliseconds. */
    private readonly clock: () => number = () => performance.now()
  ) {}

  /** Takes one token for `operation` or throws ThrottlingException (HTTP 400, as AWS IoT's control plane does). */
  take(operation: string): void {
    if (!this.tryTake(operation)) throw new IotError('ThrottlingException', 400, 'Rate exceeded')
  }

  /** Takes one token for `key` when there is one; false when the key is over its rate. */
  tryTake(key: string): boolean {
    const rate = this.rates(key)
    const now = this.clock()
    const bucket = this.buckets.get(key) ?? { tokens: rate, updatedAt: now }
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate)
    bucket.updatedAt = now
    this.buckets.set(key, bucket)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }
}
