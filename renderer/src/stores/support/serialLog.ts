// What a port has sent since it was opened (or cleared): the raw bytes in arrival order with the
// time each read arrived, capped by size (the oldest reads go first). Not reactive on purpose: at
// 1 MB/s the view is told about new bytes, it does not watch this.

export interface SerialRead {
  at: number
  bytes: Uint8Array
  /** Offset of this read's first byte since the port was opened. */
  offset: number
}

/** Bytes kept per port: a day of a chatty board's logging (a few hundred bytes a second). */
export const serialLogMaxBytes = 64 * 1024 * 1024

export class SerialLog {
  private reads: SerialRead[] = []
  /** Index of the oldest kept read (reads before it are dropped; compacted now and then). */
  private head = 0
  /** Bytes ever received (the next read's offset). */
  total = 0
  /** Bytes kept. */
  kept = 0

  constructor(readonly maxBytes = serialLogMaxBytes) {}

  append(at: number, bytes: Uint8Array): SerialRead {
    const read = { at, bytes, offset: this.total }
    this.reads.push(read)
    this.total += bytes.length
    this.kept += bytes.length
    while (this.kept > this.maxBytes && this.reads.length - this.head > 1) this.kept -= this.reads[this.head++]!.bytes.length
    if (this.head > 4096) {
      this.reads = this.reads.slice(this.head)
      this.head = 0
    }
    return read
  }

  /** Offset of the oldest byte still kept. */
  get start(): number {
    return this.total - this.kept
  }

  /** Kept reads from `offset` on (a read straddling it is included whole). */
  readsFrom(offset: number): SerialRead[] {
    const index = this.indexOf(offset)
    return this.reads.slice(index)
  }

  /** Up to `length` bytes from `offset`, with the arrival time of the read holding the first. */
  slice(offset: number, length: number): { at: number; bytes: Uint8Array } {
    const out = new Uint8Array(Math.max(0, Math.min(length, this.total - offset)))
    let index = this.indexOf(offset)
    const at = this.reads[index]?.at ?? 0
    let filled = 0
    while (filled < out.length && index < this.reads.length) {
      const read = this.reads[index++]!
      const from = Math.max(0, offset + filled - read.offset)
      const part = read.bytes.subarray(from, from + out.length - filled)
      out.set(part, filled)
      filled += part.length
    }
    return { at, bytes: out.subarray(0, filled) }
  }

  clear(): void {
    this.reads = []
    this.head = 0
    this.kept = 0
  }

  /** The kept read holding `offset` (binary search; reads are in offset order). */
  private indexOf(offset: number): number {
    let low = this.head
    let high = this.reads.length - 1
    if (high < low || offset <= this.reads[low]!.offset) return low
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if (this.reads[mid]!.offset <= offset) low = mid
      else high = mid - 1
    }
    return low
  }
}

/** "[12:03:04.567] " in local time. */
export function timestampLabel(at: number): string {
  const d = new Date(at)
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  return `[${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}] `
}

/** The log as text, each line prefixed with when its first byte arrived (for copy and save). */
export function logAsText(log: Pick<SerialLog, 'start' | 'readsFrom'>, timestamps: boolean): string {
  const decoder = new TextDecoder()
  const parts: string[] = []
  let atLineStart = true
  for (const read of log.readsFrom(log.start)) {
    const text = decoder.decode(read.bytes, { stream: true })
    if (!timestamps) {
      parts.push(text)
      continue
    }
    const stamp = timestampLabel(read.at)
    for (const piece of text.split(/(?<=\n)/)) {
      if (atLineStart && piece) parts.push(stamp)
      parts.push(piece)
      atLineStart = piece.endsWith('\n')
    }
  }
  parts.push(decoder.decode())
  return parts.join('')
}

/** "0000a0  41 54 0d 0a …  AT.." rows of 16 bytes. */
export const hexRowBytes = 16

export function hexRow(bytes: Uint8Array): { hex: string; ascii: string } {
  let hex = ''
  let ascii = ''
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    hex += (i ? (i === 8 ? '  ' : ' ') : '') + b.toString(16).padStart(2, '0')
    ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'
  }
  return { hex, ascii }
}
