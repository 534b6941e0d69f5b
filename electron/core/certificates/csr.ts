import { createPublicKey, sign, type KeyObject } from 'node:crypto'
import { CertificationRequest, CertificationRequestInfo } from '@peculiar/asn1-csr'
import { AsnConvert } from '@peculiar/asn1-schema'
import { AlgorithmIdentifier, AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName, SubjectPublicKeyInfo } from '@peculiar/asn1-x509'
import type { KeyAlgorithm } from '../../contract'
import { KeyFormatError } from './errors'
import { generateKeyObjects, pemOfKeyPair, readPrivateKey, type KeyPair } from './keys'
import { x509 } from './x509'

// The CSR is assembled from @peculiar/asn1-csr's classes and signed with node:crypto directly: the
// same DER as @peculiar/x509's generator, at a seventh of the cost (it sits on the provisioning path).

/** X.520 upper bound for a common name. */
const maxCommonNameLength = 64
const commonNameOid = '2.5.4.3'
const ecdsaWithSha256 = '1.2.840.10045.4.3.2'
const sha256WithRsaEncryption = '1.2.840.113549.1.1.11'

/** A PEM certificate signing request for the key pair, signed with SHA-256, subject CN=commonName. */
export async function createCsr(keys: KeyPair, subject: { commonName: string }): Promise<string> {
  const commonName = checkCommonName(subject?.commonName)
  const privateKey = readPrivateKey(keys.privateKeyPem)
  const publicKey = createPublicKey(privateKey)
  if (keys.publicKeyPem && !samePublicKey(keys.publicKeyPem, publicKey))
    throw new KeyFormatError('The public key does not belong to the private key: pass the pair exactly as generateKeyPair returned it')
  return csrPem(privateKey, publicKey, commonName)
}

/** A new key pair and its CSR in one go, without re-reading the key: the provisioning path's default. */
export async function generateKeyPairWithCsr(algorithm: KeyAlgorithm, subject: { commonName: string }): Promise<KeyPair & { csrPem: string }> {
  const commonName = checkCommonName(subject?.commonName)
  const { privateKey, publicKey } = await generateKeyObjects(algorithm)
  return { ...pemOfKeyPair(privateKey, publicKey), csrPem: csrPem(privateKey, publicKey, commonName) }
}

function checkCommonName(commonName: unknown): string {
  if (typeof commonName !== 'string' || commonName.trim() === '' || commonName.length > maxCommonNameLength)
    throw new KeyFormatError(`The certificate's common name must be 1 to ${maxCommonNameLength} characters (got ${JSON.stringify(commonName)})`)
  return commonName
}

function csrPem(privateKey: KeyObject, publicKey: KeyObject, commonName: string): string {
  const signatureAlgorithm = signatureAlgorithmFor(privateKey)
  const info = new CertificationRequestInfo({
    // An explicit UTF8String keeps commas, plus signs, quotes and backslashes literal.
    subject: new Name([
      new RelativeDistinguishedName([new AttributeTypeAndValue({ type: commonNameOid, value: new AttributeValue({ utf8String: commonName }) })])
    ]),
    subjectPKInfo: AsnConvert.parse(publicKey.export({ format: 'der', type: 'spki' }), SubjectPublicKeyInfo)
  })
  const signature = sign('sha256', Buffer.from(AsnConvert.serialize(info)), privateKey)
  const request = new CertificationRequest({ certificationRequestInfo: info, signatureAlgorithm, signature: toArrayBuffer(signature) })
  return `${x509.PemConverter.encode(AsnConvert.serialize(request), x509.PemConverter.CertificateRequestTag)}\n`
}

function signatureAlgorithmFor(key: KeyObject): AlgorithmIdentifier {
  if (key.asymmetricKeyType === 'rsa') return new AlgorithmIdentifier({ algorithm: sha256WithRsaEncryption, parameters: null })
  const curve = key.asymmetricKeyDetails?.namedCurve
  if (curve !== 'prime256v1' && curve !== 'secp384r1' && curve !== 'secp521r1')
    throw new KeyFormatError(`The EC key uses curve ${curve ?? 'unknown'}; AWS IoT accepts P-256, P-384 or P-521`)
  return new AlgorithmIdentifier({ algorithm: ecdsaWithSha256 })
}

function samePublicKey(pem: string, publicKey: KeyObject): boolean {
  try {
    return createPublicKey(pem).equals(publicKey)
  } catch {
    return false
  }
}

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer
}
