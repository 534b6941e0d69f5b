/**
 * A fixed-capacity log: pushing beyond capacity drops the oldest entry, in O(1). Not reactive on
 * purpose: a message log of thousands of rows is published to Vue as snapshots, not per push.
 */
export class RingBuffer<T> {
  private readonly items: Array<T | undefined>
  private start = 0
  private count = 0
  /** Entries dropped for room since the last clear. */
  dropped = 0

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, not ${capacity}`)
    this.items = new Array<T | undefined>(capacity)
  }

  get size(): number {
    return this.count
  }

  push(item: T): void {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item
      this.count++
      return
    }
    this.items[this.start] = item
    this.start = (this.start + 1) % this.capacity
    this.dropped++
  }

  /** Removes and returns the oldest entry. */
  shift(): T | undefined {
    if (this.count === 0) return undefined
    const item = this.items[this.start]
    this.items[this.start] = undefined
    this.start = (this.start + 1) % this.capacity
    this.count--
    this.dropped++
    return item
  }

  /** Oldest first. */
  toArray(): T[] {
    const out = new Array<T>(this.count)
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.start + i) % this.capacity] as T
    return out
  }

  clear(): void {
    this.items.fill(undefined)
    this.start = 0
    this.count = 0
    this.dropped = 0
  }
}
