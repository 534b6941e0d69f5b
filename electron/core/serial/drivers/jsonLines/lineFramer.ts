// Cuts a byte stream into lines: LF ends a line, a CR before it is dropped, blank lines are skipped.
// A line longer than the limit is dropped whole (up to its LF) and reported once; bytes that sit
// without an LF for longer than `partialTimeoutMs` are a partial line (a reset mid-line, a cable
// pulled) and are reported and dropped, so the next line starts clean.

export interface LineFramerEvents {
  line(bytes: Buffer, lineNumber: number): void
  tooLong(lineNumber: number, limit: number): void
  partial(bytes: Buffer, lineNumber: number, silentMs: number): void
}

const LF = 0x0a
const CR = 0x0d

export class LineFramer {
  private pending: Buffer[] = []
  private pendingBytes = 0
  private discarding = false
  private lineNumber = 0
  private partialTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly events: LineFramerEvents,
    private readonly maxLineBytes: number,
    private readonly partialTimeoutMs: number
  ) {}

  push(chunk: Buffer): void {
    let start = 0
    for (let lf = chunk.indexOf(LF, start); lf !== -1; lf = chunk.indexOf(LF, start)) {
      this.take(chunk.subarray(start, lf))
      this.endLine()
      start = lf + 1
    }
    if (start < chunk.length) this.take(chunk.subarray(start))
    this.armPartialTimer()
  }

  /** Stops the partial-line timer (the stream closed); what is buffered is dropped silently. */
  stop(): void {
    clearTimeout(this.partialTimer)
    this.reset()
  }

  private take(bytes: Buffer): void {
    if (bytes.length === 0 || this.discarding) return
    this.pending.push(bytes)
    this.pendingBytes += bytes.length
    if (this.pendingBytes > this.maxLineBytes) {
      this.discarding = true
      this.pending = []
      this.pendingBytes = 0
      this.events.tooLong(++this.lineNumber, this.maxLineBytes)
    }
  }

  private endLine(): void {
    if (this.discarding) {
      this.discarding = false
      return
    }
    let line = Buffer.concat(this.pending, this.pendingBytes)
    this.reset()
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, -1)
    if (line.length === 0) return
    this.events.line(line, ++this.lineNumber)
  }

  private armPartialTimer(): void {
    clearTimeout(this.partialTimer)
    if (this.pendingBytes === 0 && !this.discarding) return
    this.partialTimer = setTimeout(() => {
      // The tail of a dropped over-long line never ended: forget it, it was reported already.
      if (this.discarding) {
        this.discarding = false
        return
      }
      const bytes = Buffer.concat(this.pending, this.pendingBytes)
      this.reset()
      this.events.partial(bytes, ++this.lineNumber, this.partialTimeoutMs)
    }, this.partialTimeoutMs)
    this.partialTimer.unref()
  }

  private reset(): void {
    this.pending = []
    this.pendingBytes = 0
  }
}
