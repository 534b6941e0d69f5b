import { KeyObject, createPrivateKey, webcrypto } from 'node:crypto'
import type { KeyAlgorithm } from '../../contract'
import { KeyFormatError } from './errors'

export interface KeyPair {
  /** SEC1 'EC PRIVATE KEY' or PKCS#1 'RSA PRIVATE KEY': the encodings aws-crt accepts on every OS. */
  privateKeyPem: string
  /** SPKI 'PUBLIC KEY'. */
  publicKeyPem: string
}

const generationParams: Record<KeyAlgorithm, webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams> = {
  ec: { name: 'ECDSA', namedCurve: 'P-256' },
  rsa2048: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  rsa3072: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
}

/** Makes a new key pair on this machine (EC P-256 unless asked otherwise). */
export async function generateKeyPair(algorithm: KeyAlgorithm = 'ec'): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyObjects(algorithm)
  return pemOfKeyPair(privateKey, publicKey)
}

/** @internal The key objects behind generateKeyPair, for callers that also sign with them. */
export async function generateKeyObjects(algorithm: KeyAlgorithm): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  const params = generationParams[algorithm]
  if (!params) throw new KeyFormatError(`Unknown key algorithm "${String(algorithm)}": choose one of ${Object.keys(generationParams).join(', ')}`)
  const pair = (await webcrypto.subtle.generateKey(params, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
  return { privateKey: KeyObject.from(pair.privateKey), publicKey: KeyObject.from(pair.publicKey) }
}

export function pemOfKeyPair(privateKey: KeyObject, publicKey: KeyObject): KeyPair {
  return { privateKeyPem: exportPrivateKey(privateKey), publicKeyPem: exportPublicKey(publicKey) }
}

/**
 * Re-encodes any PEM private key (PKCS#8, SEC1, PKCS#1) as SEC1 for EC and PKCS#1 for RSA, because
 * aws-crt refuses PKCS#8 on macOS and PKCS#8-wrapped EC keys on Windows.
 */
export function normalizePrivateKey(pem: string): string {
  return exportPrivateKey(readPrivateKey(pem))
}

/** Parses a PEM private key, explaining in words what is wrong when it is not a usable one. */
export function readPrivateKey(pem: string): KeyObject {
  if (typeof pem !== 'string' || pem.trim() === '') throw new KeyFormatError('The private key is empty: paste or choose a PEM file that starts with "-----BEGIN"')
  const header = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1]
  if (!header) throw new KeyFormatError('The text is not a PEM private key: expected a BEGIN line naming a PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY')
  if (header === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(pem))
    throw new KeyFormatError('The private key is protected by a passphrase, which devices cannot use: decrypt it first (for example `openssl pkey -in key.pem -out plain.pem`)')
  if (header === 'CERTIFICATE') throw new KeyFormatError('The text is a certificate, not a private key: choose the file that holds the private key')
  if (header === 'PUBLIC KEY' || header === 'RSA PUBLIC KEY') throw new KeyFormatError('The text is a public key, not a private key: choose the file that holds the private key')
  if (header === 'CERTIFICATE REQUEST') throw new KeyFormatError('The text is a certificate signing request, not a private key')
  let key: KeyObject
  try {
    key = createPrivateKey({ key: pem, format: 'pem' })
  } catch (err) {
    throw new KeyFormatError(`The text is not a readable PEM private key (${header}): ${(err as Error).message}`)
  }
  if (key.asymmetricKeyType !== 'ec' && key.asymmetricKeyType !== 'rsa')
    throw new KeyFormatError(`The private key is ${key.asymmetricKeyType}; AWS IoT certificates need an RSA or EC (P-256, P-384, P-521) key`)
  return key
}

export function exportPrivateKey(key: KeyObject): string {
  return key.export({ format: 'pem', type: key.asymmetricKeyType === 'ec' ? 'sec1' : 'pkcs1' }).toString()
}

export function exportPublicKey(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'spki' }).toString()
}
