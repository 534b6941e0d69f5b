import { randomBytes, webcrypto } from 'node:crypto'
import { x509 } from '../../../../electron/core/certificates/x509'

/**
 * A self-signed device certificate like one made on a production line (the "existing certificate"
 * path): real EC P-256 key, chosen validity.
 */
export async function makeDeviceCertificate(options: { commonName?: string; notBefore?: Date; notAfter?: Date } = {}): Promise<string> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' }
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
  const now = Date.now()
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex'),
    name: `CN=${options.commonName ?? 'factory-device'}`,
    notBefore: options.notBefore ?? new Date(now - 60_000),
    notAfter: options.notAfter ?? new Date(now + 365 * 24 * 3600_000),
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' }
  })
  return certificate.toString('pem')
}
