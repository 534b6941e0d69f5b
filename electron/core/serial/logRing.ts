// What a port received, kept in memory with the time each chunk arrived, bounded by bytes: the
// oldest chunks go first. It belongs to the port, not to one open, so it survives a reopen.

export interface LoggedChunk {
  /** ms since the epoch when the bytes arrived. */
  at: number
  bytes: Buffer
}

export class LogRing {
  private readonly chunks: LoggedChunk[] = []
  private head = 0
  private size = 0

  constructor(readonly capacityBytes = 4 * 1024 * 1024) {}

  push(bytes: Buffer, at = Date.now()): void {
    if (bytes.length === 0) return
    const kept = bytes.length > this.capacityBytes ? bytes.subarray(bytes.length - this.capacityBytes) : bytes
    this.chunks.push({ at, bytes: kept })
    this.size += kept.length
    while (this.size > this.capacityBytes) this.size -= (this.chunks[this.head++] as LoggedChunk).bytes.length
    // Compacts now and then instead of shifting on every push.
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks.splice(0, this.head)
      this.head = 0
    }
  }

  get byteLength(): number {
    return this.size
  }

  entries(): LoggedChunk[] {
    return this.chunks.slice(this.head)
  }

  /** Everything kept, in order. */
  bytes(): Buffer {
    return Buffer.concat(this.entries().map((chunk) => chunk.bytes))
  }

  clear(): void {
    this.chunks.length = 0
    this.head = 0
    this.size = 0
  }
}
