// What of a picked certificate file may reach the page: its CERTIFICATE blocks only. A PEM file
// often bundles the private key with the certificate; the key must never be sent to the renderer.

const certificateBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** Largest file read (a certificate chain is a few KB; certificates.inspect accepts 64 KiB). */
export const maxCertificateFileBytes = 65_536

/** The file's certificates as PEM (private keys and anything else dropped); throws if it has none. */
export function certificatesOnly(text: string, path: string): string {
  const blocks = text.match(certificateBlock)
  if (!blocks) {
    const what = /PRIVATE KEY-----/.test(text) ? 'a private key but no certificate' : 'no PEM certificate (-----BEGIN CERTIFICATE-----)'
    throw Object.assign(new Error(`${path} holds ${what}`), { errorName: 'InvalidCertificateFile' })
  }
  return blocks.join('\n') + '\n'
}
