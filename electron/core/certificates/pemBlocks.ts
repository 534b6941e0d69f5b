import { x509 } from './x509'

export type PemBlock = ReturnType<typeof x509.PemConverter.decodeWithHeaders>[number]

/**
 * The PEM blocks of a text, read by @peculiar/x509's PemConverter; none when a block's base64 does
 * not decode (the caller says why in words). A block PemConverter cannot read is skipped.
 */
export function pemBlocks(text: string): PemBlock[] {
  if (typeof text !== 'string') return []
  try {
    // Indented lines (a PEM pasted from a mail or a log) are still PEM; PemConverter reads bare lines only.
    return x509.PemConverter.decodeWithHeaders(text.replace(/^[ \t]+|[ \t]+$/gm, ''))
  } catch {
    return []
  }
}
