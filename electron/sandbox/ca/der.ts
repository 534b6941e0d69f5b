// PEM <-> DER for the sandbox's certificates and CSRs (RFC 7468), and the little DER framing the CA
// does by hand, without a certificate library.

/** PEM the way AWS returns it: `-----BEGIN <label>-----`, base64 in 64-character lines, `-----END <label>-----`, a trailing newline. */
export function derToPem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64')
  let body = ''
  for (let i = 0; i < base64.length; i += 64) body += base64.slice(i, i + 64) + '\n'
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`
}

/**
 * The DER inside the first `-----BEGIN <label>-----` … `-----END <label>-----` block of `text`, for one of
 * `labels`. Text around the block is ignored (as OpenSSL does); inside it only base64 and line breaks are
 * allowed, and the END line must name the same label. Throws an Error describing what is wrong.
 */
export function pemToDer(text: string, labels: readonly string[]): Buffer {
  const begin = new RegExp(`-----BEGIN (${labels.join('|')})-----`).exec(text)
  if (!begin) {
    const other = /-----BEGIN ([^-\r\n]*)-----/.exec(text)
    throw new Error(other ? `found a ${other[1]} block, not a ${labels[0]}` : `no -----BEGIN ${labels[0]}----- line`)
  }
  const label = begin[1]!
  const endLine = `-----END ${label}-----`
  const bodyStart = begin.index + begin[0].length
  const end = text.indexOf(endLine, bodyStart)
  if (end < 0) throw new Error(`no ${endLine} line after -----BEGIN ${label}-----`)
  const body = text.slice(bodyStart, end).replace(/[ \t\r\n]+/g, '')
  if (body.length === 0) throw new Error(`the ${label} block is empty`)
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) throw new Error(`the ${label} block is not valid base64`)
  return Buffer.from(body, 'base64')
}

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
