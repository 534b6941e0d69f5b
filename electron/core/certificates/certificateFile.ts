import { createHash, createPublicKey, X509Certificate } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { CertificateFileError } from './errors'
import { exportPrivateKey, readPrivateKey } from './keys'
import { pemBlocks } from './pemBlocks'
import { x509 } from './x509'

// A certificate file as a technician has it: often the device's certificate (or chain) and its
// private key in one PEM. Only the certificate blocks may go on (to AWS, to the page); the key, when
// it is the certificate's own, is handed back separately so the caller can keep it in the vault.

/** Largest file read: a certificate chain is a few KB, and the contract accepts 64 KiB. */
export const maxCertificateFileBytes = 65_536

export interface CertificateFileContent {
  /** The file's CERTIFICATE blocks in order, nothing else: what may be registered and shown. */
  certificatePem: string
  /** SHA-256 of the first certificate's DER. */
  certificateId: string
  /** The first certificate's own private key (SEC1 or PKCS#1), when the file holds it: for the vault only. */
  privateKeyPem?: string
}

/** Reads a certificate file from disk (at most 64 KiB) and splits it like splitCertificateFile. */
export async function readCertificateFile(path: string): Promise<CertificateFileContent> {
  let size: number
  try {
    size = (await stat(path)).size
  } catch (err) {
    throw new CertificateFileError(`Cannot read the certificate file ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
  if (size > maxCertificateFileBytes)
    throw new CertificateFileError(`${path} is ${size} bytes, larger than a certificate file can be (${maxCertificateFileBytes}): choose the device's PEM certificate`)
  return splitCertificateFile(await readFile(path, 'utf8'), path)
}

/**
 * The certificate blocks of a PEM text, and the first certificate's private key when the text holds
 * it. `source` names the text in errors (a file name). Refuses a text with no certificate, one with
 * a key that belongs to another certificate, and one with more than one key.
 */
export function splitCertificateFile(text: string, source: string): CertificateFileContent {
  const blocks = pemBlocks(text)
  const certificates = blocks.filter((block) => block.type === x509.PemConverter.CertificateTag)
  const keys = blocks.filter((block) => block.type.endsWith('PRIVATE KEY'))
  if (certificates.length === 0)
    throw new CertificateFileError(
      keys.length > 0
        ? `${source} holds a private key but no certificate: choose the device's certificate file (a file with the certificate and its key is fine)`
        : `${source} holds no PEM certificate: expected a block between "-----BEGIN CERTIFICATE-----" and "-----END CERTIFICATE-----" (convert a DER file first: openssl x509 -inform der -in cert.der -out cert.pem)`
    )
  if (keys.length > 1)
    throw new CertificateFileError(`${source} holds ${keys.length} private keys: a certificate file may hold only its certificate's own key. Split the file and choose the device's certificate`)

  const leaf = readCertificateBlock(certificates[0]!.rawData, source)
  const content: CertificateFileContent = {
    certificatePem: `${x509.PemConverter.encode(certificates.map((block) => ({ type: block.type, rawData: block.rawData })))}\n`,
    certificateId: createHash('sha256').update(leaf.raw).digest('hex')
  }
  for (const block of certificates.slice(1)) readCertificateBlock(block.rawData, source)
  if (keys.length === 0) return content

  let privateKeyPem: string
  try {
    const key = readPrivateKey(x509.PemConverter.encode([keys[0]!]))
    if (!createPublicKey(key).equals(leaf.publicKey))
      throw new CertificateFileError(
        `${source} holds a private key that does not belong to its certificate (${leaf.subject.replace(/\n/g, ', ')}): nothing was sent. Put each device's key with its own certificate, or choose a file with the certificate only`
      )
    privateKeyPem = exportPrivateKey(key)
  } catch (err) {
    if (err instanceof CertificateFileError) throw err
    throw new CertificateFileError(`${source} holds a private key ThingBench cannot keep: ${(err as Error).message}`)
  }
  return { ...content, privateKeyPem }
}

function readCertificateBlock(der: ArrayBuffer, source: string): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(der))
  } catch (err) {
    throw new CertificateFileError(`${source} holds a CERTIFICATE block that cannot be decoded (${(err as Error).message})`)
  }
}
