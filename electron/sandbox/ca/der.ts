// The little DER framing the CA does by hand, without a certificate library.

/**
 * Throws unless `der` is exactly one DER TLV (nothing after it): the ASN.1 parser reads the first
 * element and ignores trailing bytes.
 */
export function assertSingleDerElement(der: Uint8Array): void {
  if (der.length < 2) throw new Error('the DER data is truncated')
  let length = der[1]!
  let header = 2
  if (length & 0x80) {
    const count = length & 0x7f
    if (count === 0 || count > 4 || der.length < 2 + count) throw new Error('the DER length is malformed')
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + der[2 + i]!
    header += count
  }
  if (header + length !== der.length)
    throw new Error(header + length > der.length ? 'the DER data is truncated' : 'there are bytes after the DER data')
}

/** One DER element: `tag`, the definite length of the concatenated `contents`, the contents. */
export function derElement(tag: number, ...contents: Uint8Array[]): Buffer {
  const length = contents.reduce((sum, part) => sum + part.byteLength, 0)
  let header: number[]
  if (length < 0x80) header = [tag, length]
  else {
    const bytes: number[] = []
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff)
    header = [tag, 0x80 | bytes.length, ...bytes]
  }
  return Buffer.concat([Uint8Array.from(header), ...contents])
}

export const DER_SEQUENCE = 0x30
export const DER_BIT_STRING = 0x03
