import { PemConverter } from './x509'

// PEM <-> DER for the sandbox's certificates and CSRs (RFC 7468) through @peculiar/x509's PemConverter.

/** PEM the way AWS returns it: `-----BEGIN <label>-----`, base64 in 64-character lines, `-----END <label>-----`, a trailing newline. */
export function derToPem(der: Uint8Array, label: string): string {
  // The DOM's BufferSource (which PemConverter names) refuses a view that might be shared; ours never is.
  return `${PemConverter.encode(der as Uint8Array<ArrayBuffer>, label)}\n`
}

/**
 * The DER inside the first `-----BEGIN <label>-----` … `-----END <label>-----` block of `text`, for one of
 * `labels`. Text around the block is ignored (as OpenSSL does); inside it only base64 and line breaks are
 * allowed, and the END line must name the same label. Throws an Error describing what is wrong.
 */
export function pemToDer(text: string, labels: readonly string[]): Buffer {
  const blocks = readBlocks(text)
  const block = blocks?.find((b) => labels.includes(b.type))
  if (block) return Buffer.from(block.rawData)
  throw new Error(whyNoBlock(text, labels, blocks?.[0]?.type))
}

/** The blocks PemConverter reads, or undefined when a block's base64 does not decode. */
function readBlocks(text: string): ReturnType<typeof PemConverter.decodeWithHeaders> | undefined {
  try {
    // Indented or space-padded lines (a pasted PEM) are still PEM; PemConverter reads bare lines only.
    return PemConverter.decodeWithHeaders(text.replace(/^[ \t]+|[ \t]+$/gm, ''))
  } catch {
    return undefined
  }
}

/** Says in words why no block with one of `labels` could be read: PemConverter skips the blocks it cannot read. */
function whyNoBlock(text: string, labels: readonly string[], otherLabel: string | undefined): string {
  const begin = new RegExp(`-----BEGIN (${labels.join('|')})-----`).exec(text)
  if (!begin) {
    const other = otherLabel ?? /-----BEGIN ([^-\r\n]*)-----/.exec(text)?.[1]
    return other ? `found a ${other} block, not a ${labels[0]}` : `no -----BEGIN ${labels[0]}----- line`
  }
  const label = begin[1]!
  const endLine = `-----END ${label}-----`
  const bodyStart = begin.index + begin[0].length
  const end = text.indexOf(endLine, bodyStart)
  if (end < 0) return `no ${endLine} line after -----BEGIN ${label}-----`
  if (text.slice(bodyStart, end).trim() === '') return `the ${label} block is empty`
  return `the ${label} block is not valid base64`
}
