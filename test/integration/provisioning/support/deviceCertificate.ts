import { randomBytes, webcrypto } from 'node:crypto'
import { x509 } from '../../../../electron/core/certificates/x509'

interface DeviceCertificateOptions {
  commonName?: string
  notBefore?: Date
  notAfter?: Date
}

/**
 * A self-signed device certificate like one made on a production line (the "existing certificate"
 * path): real EC P-256 key, chosen validity.
 */
export async function makeDeviceCertificate(options: DeviceCertificateOptions = {}): Promise<string> {
  return (await makeDeviceCertificateWithKey(options)).certificatePem
}

/** The same, with its private key as the factory's file has it (PKCS#8 PEM). */
export async function makeDeviceCertificateWithKey(options: DeviceCertificateOptions = {}): Promise<{ certificatePem: string; privateKeyPem: string }> {
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
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)
  return { certificatePem: certificate.toString('pem'), privateKeyPem: `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n` }
}

/** The base64 lines of a PEM's body: what would show a key leaked in another wrapping or spacing. */
export function pemBodyLines(pem: string): string[] {
  return pem
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('-----') && !line.includes(':'))
}
