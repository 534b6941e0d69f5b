import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto'

type SourceData = string | ArrayBuffer | ArrayBufferView

const toBuffer = (data: SourceData): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data)

/**
 * Node's native SHA-256 / HMAC-SHA-256 in the Checksum shape @smithy/signature-v4 takes. The
 * pure-JavaScript one costs a few milliseconds per request on the sandbox's hot path.
 */
export class NativeSha256 {
  private hash: Hash | Hmac

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh()
  }

  update(data: SourceData): void {
    this.hash.update(toBuffer(data))
  }

  async digest(): Promise<Uint8Array> {
    return this.hash.digest()
  }

  reset(): void {
    this.hash = this.fresh()
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret))
  }
}
