import { verify, type KeyObject } from 'node:crypto'
import { AsnConvert } from '@peculiar/asn1-schema'
import { CertificationRequest } from '@peculiar/asn1-csr'
import type { SubjectPublicKeyInfo } from '@peculiar/asn1-x509'
import { assertSingleDerElement } from '../ca/der'
import { pemToDer } from '../ca/pem'

// PKCS#10 certificate signing requests (RFC 2986), read with the ASN.1 classes of @peculiar/asn1-csr
// and checked with node:crypto: only what CreateCertificateFromCsr needs (the public key and the
// proof that the requester holds its private key).

/** `CERTIFICATE REQUEST` (RFC 7468); `NEW CERTIFICATE REQUEST` is what older OpenSSL and Windows certreq write. */
const CSR_PEM_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'] as const

/** The signature algorithms a CSR may use: ECDSA or RSA PKCS#1 v1.5 with SHA-256, SHA-384 or SHA-512. */
const SIGNATURE_ALGORITHMS: Record<string, { name: string; hash: string; keyType: 'ec' | 'rsa' }> = {
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256', keyType: 'ec' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384', keyType: 'ec' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512', keyType: 'ec' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256', keyType: 'rsa' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384', keyType: 'rsa' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512', keyType: 'rsa' }
}

export interface ParsedCsr {
  /** The requester's SubjectPublicKeyInfo, DER. */
  subjectPublicKeyInfo: Buffer
  /** The same, parsed (for LocalCa.issue). */
  publicKeyInfo: SubjectPublicKeyInfo
  /** OID of the CSR's signature algorithm. */
  signatureAlgorithm: string
  /** The DER of the CertificationRequestInfo exactly as received: the bytes the signature covers. */
  signedData: Buffer
  signature: Buffer
}

/** Reads a PEM-encoded PKCS#10 CSR; throws an Error saying what is wrong. */
export function parseCsr(pem: string): ParsedCsr {
  const der = pemToDer(pem, CSR_PEM_LABELS)
  assertSingleDerElement(der)
  let csr: CertificationRequest
  try {
    csr = AsnConvert.parse(der, CertificationRequest)
  } catch (error) {
    throw new Error(`its ASN.1 structure cannot be read: ${(error as Error).message}`)
  }
  if (!csr.certificationRequestInfoRaw) throw new Error('it has no CertificationRequestInfo')
  const publicKeyInfo = csr.certificationRequestInfo.subjectPKInfo
  return {
    subjectPublicKeyInfo: Buffer.from(AsnConvert.serialize(publicKeyInfo)),
    publicKeyInfo,
    signatureAlgorithm: csr.signatureAlgorithm.algorithm,
    signedData: Buffer.from(csr.certificationRequestInfoRaw),
    signature: Buffer.from(csr.signature)
  }
}

/** Describes why the CSR's signature algorithm is not accepted, or returns undefined when it is. */
export function unsupportedSignatureAlgorithmReason(csr: ParsedCsr): string | undefined {
  if (SIGNATURE_ALGORITHMS[csr.signatureAlgorithm]) return undefined
  return `its signature algorithm ${csr.signatureAlgorithm} is not one AWS IoT accepts (ECDSA or RSA PKCS#1 v1.5 with SHA-256, SHA-384 or SHA-512)`
}

/** True when the CSR is signed by the private key of `publicKey` (its own SubjectPublicKeyInfo). */
export function csrSignatureMatches(csr: ParsedCsr, publicKey: KeyObject): boolean {
  const algorithm = SIGNATURE_ALGORITHMS[csr.signatureAlgorithm]
  if (!algorithm || algorithm.keyType !== publicKey.asymmetricKeyType) return false
  try {
    // ECDSA signatures are DER Ecdsa-Sig-Value, node's default dsaEncoding; RSA keys default to PKCS#1 v1.5.
    return verify(algorithm.hash, csr.signedData, publicKey, csr.signature)
  } catch {
    return false
  }
}
