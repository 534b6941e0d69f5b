// Wrong-baud detection. At a mismatched baud rate a UART does not fail: it delivers a stream of
// bytes, many of them control codes, 0x00/0xFF framing errors or bytes that are not UTF-8, and
// almost never a valid line. So: once `windowBytes` have arrived since the last valid
// message and at least `unprintableShare` of them are not printable text, say it once, until a
// valid message resets the count.

export interface BaudCheckOptions {
  windowBytes: number
  unprintableShare: number
}

export interface BaudSuspicion {
  bytes: number
  unprintable: number
}

export const defaultBaudCheck: BaudCheckOptions = { windowBytes: 256, unprintableShare: 0.2 }

/** Bytes a text protocol never sends: C0 controls other than TAB, LF, CR; DEL; and 0xF5–0xFF, never valid in UTF-8. */
function unprintable(byte: number): boolean {
  return (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) || byte === 0x7f || byte >= 0xf5
}

export class BaudCheck {
  private bytes = 0
  private unprintable = 0
  private said = false
  // Streaming, so a character split across chunks is not noise; text in any script is printable.
  private readonly decoder = new TextDecoder('utf-8')

  constructor(private readonly options: BaudCheckOptions = defaultBaudCheck) {}

  /** Counts a chunk; gives a suspicion the first time the window is full of noise. */
  count(chunk: Buffer): BaudSuspicion | undefined {
    for (const char of this.decoder.decode(chunk, { stream: true })) if (char === '\uFFFD' || unprintableChar(char)) this.unprintable++
    this.bytes += chunk.length
    if (this.said || this.bytes < this.options.windowBytes) return undefined
    if (this.unprintable / this.bytes < this.options.unprintableShare) return undefined
    this.said = true
    return { bytes: this.bytes, unprintable: this.unprintable }
  }

  /** True once noise was reported and no valid message has come since. */
  get suspecting(): boolean {
    return this.said
  }

  validMessage(): void {
    this.bytes = 0
    this.unprintable = 0
    this.said = false
  }
}

function unprintableChar(char: string): boolean {
  const code = char.charCodeAt(0)
  return char.length === 1 && code < 0x80 && unprintable(code)
}

/** Share of a line's bytes that are not printable text (for the per-line "binary noise" diagnosis). */
export function unprintableCount(line: Buffer): number {
  let count = 0
  for (const byte of line) if (unprintable(byte)) count++
  return count
}
