// A bounded queue behind an async iterator, for streams whose events start before anyone iterates:
// events are kept (the oldest dropped past `capacity`) until the one consumer takes them.

export class EventQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = []
  private waiting: ((result: IteratorResult<T>) => void) | undefined
  private ended = false
  /** Events dropped because nobody took them before the queue was full. */
  dropped = 0

  constructor(private readonly capacity = 1000) {}

  push(item: T): void {
    if (this.ended) return
    if (this.waiting) {
      const resolve = this.waiting
      this.waiting = undefined
      resolve({ value: item, done: false })
      return
    }
    this.items.push(item)
    if (this.items.length > this.capacity) {
      this.items.shift()
      this.dropped++
    }
  }

  /** Ends the stream: the consumer gets what is queued, then `done`. */
  end(): void {
    this.ended = true
    if (this.waiting) {
      const resolve = this.waiting
      this.waiting = undefined
      resolve({ value: undefined, done: true })
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.items.shift()
        if (item !== undefined) return Promise.resolve({ value: item, done: false })
        if (this.ended) return Promise.resolve({ value: undefined, done: true })
        return new Promise((resolve) => (this.waiting = resolve))
      },
      return: () => {
        this.end()
        this.items.length = 0
        return Promise.resolve({ value: undefined, done: true })
      }
    }
  }
}
