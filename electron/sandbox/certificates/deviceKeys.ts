import { createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'

// The key rules AWS IoT applies to device certificates: RSA of at least 2048 bits, or EC on
// P-256, P-384 or P-521. Anything else is refused before a certificate is made.

const ALLOWED_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }

/** Describes why the key is not acceptable, or returns undefined when it is. */
export function unsupportedKeyReason(subjectPublicKeyInfo: Buffer): string | undefined {
  return readDevicePublicKey(subjectPublicKeyInfo).reason
}

/** The SubjectPublicKeyInfo (DER) as a KeyObject when AWS IoT would accept it, or why it would not. */
export function readDevicePublicKey(subjectPublicKeyInfo: Buffer): { key: KeyObject; reason?: undefined } | { key?: undefined; reason: string } {
  let key
  try {
    key = createPublicKey({ key: subjectPublicKeyInfo, format: 'der', type: 'spki' })
  } catch (error) {
    return { reason: `its public key cannot be read (${(error as Error).message})` }
  }
  const details = key.asymmetricKeyDetails ?? {}
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0
    return bits >= 2048 ? { key } : { reason: `its RSA key has ${bits} bits; AWS IoT requires at least 2048` }
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve ?? 'unknown'
    return ALLOWED_CURVES[curve] ? { key } : { reason: `its EC key is on curve ${curve}; AWS IoT accepts P-256, P-384 and P-521` }
  }
  return {
    reason: `its key type is ${key.asymmetricKeyType ?? 'unknown'}; AWS IoT accepts RSA (2048 bits or more) and EC (P-256, P-384, P-521)`
  }
}

export interface GeneratedKeyPair {
  /** SubjectPublicKeyInfo DER, for signing a certificate. */
  publicKeyDer: Buffer
  /** `-----BEGIN PUBLIC KEY-----` (SPKI), as AWS returns it. */
  publicKeyPem: string
  /** PKCS#1 PEM (an "RSA PRIVATE KEY" block), as AWS returns it. */
  privateKeyPem: string
}

const generateRsa = promisify(generateKeyPair)

/** An RSA 2048 key pair like the one CreateKeysAndCertificate hands out (once; never stored). */
export async function generateDeviceKeyPair(): Promise<GeneratedKeyPair> {
  const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength: 2048 })
  return {
    publicKeyDer: publicKey.export({ type: 'spki', format: 'der' }),
    publicKeyPem: String(publicKey.export({ type: 'spki', format: 'pem' })),
    privateKeyPem: String(privateKey.export({ type: 'pkcs1', format: 'pem' }))
  }
}
