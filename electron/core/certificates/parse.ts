import { X509Certificate, createHash, createPublicKey, type KeyObject } from 'node:crypto'
import { CertificateFormatError } from './errors'
import { exportPublicKey, readPrivateKey } from './keys'
import { pemBlocks } from './pemBlocks'
import { x509 } from './x509'

export interface CertificateInfo {
  /**
   * Lowercase hex SHA-256 of the DER encoding: the id AWS IoT itself will give the certificate. Other
   * services (moto) name certificates their own way: once a service has answered, use its id.
   */
  certificateId: string
  subject: string
  commonName?: string
  issuer: string
  /** Hex, as openssl prints it. */
  serialNumber: string
  notBefore: Date
  notAfter: Date
  /** Colon-separated uppercase hex, as the AWS console and openssl show it. */
  fingerprintSha256: string
  publicKeyPem: string
  /** For people: 'EC P-256', 'RSA 2048'. */
  keyAlgorithm: string
}

/**
 * Reads the first certificate of a PEM text (a chain file is fine). `label` names the text in
 * errors, e.g. 'The device certificate'.
 */
export function parseCertificate(pem: string, label = 'The text'): CertificateInfo {
  const certificate = readCertificate(pem, label)
  const der = certificate.raw
  const peculiar = new x509.X509Certificate(der)
  const commonName = peculiar.subjectName.getField('CN')[0]
  return {
    certificateId: createHash('sha256').update(der).digest('hex'),
    subject: peculiar.subject,
    ...(commonName !== undefined ? { commonName } : {}),
    issuer: peculiar.issuer,
    serialNumber: peculiar.serialNumber,
    notBefore: peculiar.notBefore,
    notAfter: peculiar.notAfter,
    fingerprintSha256: certificate.fingerprint256,
    publicKeyPem: exportPublicKey(certificate.publicKey),
    keyAlgorithm: describeKey(certificate.publicKey)
  }
}

/** True when the private key is the one whose public half the certificate carries. */
export function certificateMatchesKey(certificatePem: string, privateKeyPem: string): boolean {
  const certificateKey = readCertificate(certificatePem, 'The certificate').publicKey.export({ format: 'der', type: 'spki' })
  const ownKey = createPublicKey(readPrivateKey(privateKeyPem)).export({ format: 'der', type: 'spki' })
  return certificateKey.equals(ownKey)
}

export function readCertificate(pem: string, label: string): X509Certificate {
  if (typeof pem !== 'string' || pem.trim() === '') throw new CertificateFormatError(`${label} is not a PEM certificate: it is empty`)
  const blocks = pemBlocks(pem)
  const block = blocks.find((b) => b.type === x509.PemConverter.CertificateTag)
  if (!block) {
    // PemConverter skips a block it cannot read; the BEGIN lines still say what the text was meant to be.
    const other = /-----BEGIN CERTIFICATE-----/.test(pem) ? 'CERTIFICATE' : /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1]
    const why =
      other === 'CERTIFICATE'
        ? 'its CERTIFICATE block cannot be read (expected lines of base64 up to an "-----END CERTIFICATE-----" line)'
        : other
          ? `it holds a "${other}" block, not "CERTIFICATE"${other.includes('PRIVATE KEY') ? ' (that is a private key: choose the certificate file)' : ''}`
          : 'expected a block between "-----BEGIN CERTIFICATE-----" and "-----END CERTIFICATE-----" (a DER file must be converted first: openssl x509 -inform der -in cert.der -out cert.pem)'
    throw new CertificateFormatError(`${label} is not a PEM certificate: ${why}`)
  }
  try {
    return new X509Certificate(Buffer.from(block.rawData))
  } catch (err) {
    throw new CertificateFormatError(`${label} is not a PEM certificate: its content cannot be decoded (${(err as Error).message})`)
  }
}

function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {}
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return `RSA ${details.modulusLength ?? ''}`.trim()
    case 'ec': {
      const curves: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }
      return `EC ${curves[details.namedCurve ?? ''] ?? details.namedCurve ?? ''}`.trim()
    }
    default:
      return String(key.asymmetricKeyType ?? 'unknown').toUpperCase()
  }
}
