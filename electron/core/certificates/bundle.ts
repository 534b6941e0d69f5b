import { createPublicKey } from 'node:crypto'
import { mkdir, open, rm, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { CertificateBundleError } from './errors'
import { exportPublicKey, normalizePrivateKey, readPrivateKey } from './keys'
import { parseCertificate, readCertificate } from './parse'
import { amazonRootCaPem } from './rootCa'

export interface BundleInput {
  /** The id the service gave the certificate (CreateCertificateFromCsr, DescribeCertificate, ...). */
  certificateId: string
  certificatePem: string
  privateKeyPem?: string
  publicKeyPem?: string
  /** More CA certificates to ship with the bundle, e.g. the Local IoT Core's CA. */
  extraCaFiles?: Array<{ fileName: string; pem: string }>
}

/** AWS IoT's pattern for a certificate id; it also keeps the bundle's file names plain. */
const certificateIdPattern = /^(0x)?[0-9a-fA-F]{1,128}$/

interface PlannedFile {
  path: string
  content: string
  mode: number
}

/**
 * Writes the files the AWS IoT console offers for download after creating a certificate:
 * `<id>-certificate.pem.crt`, `<id>-private.pem.key` (owner-only), `<id>-public.pem.key` and
 * `AmazonRootCA1.pem`, plus any extra CA files. Never overwrites: if any target exists nothing is
 * written. Returns the written paths.
 */
export async function writeCertificateBundle(dir: string, bundle: BundleInput): Promise<string[]> {
  const files = planBundle(dir, bundle)
  const existing: string[] = []
  for (const file of files) if (await exists(file.path)) existing.push(basename(file.path))
  if (existing.length > 0)
    throw new CertificateBundleError(`Not writing the certificate bundle: ${existing.join(', ')} already exist in ${dir}. Choose an empty folder or move those files away`)

  await mkdir(dir, { recursive: true })
  const written: string[] = []
  try {
    for (const file of files) {
      // 'wx' fails if the file appeared meanwhile; mode applies at creation, so the key is never world-readable.
      const handle = await open(file.path, 'wx', file.mode)
      try {
        written.push(file.path)
        await handle.writeFile(file.content, 'utf8')
        await handle.sync()
      } finally {
        await handle.close()
      }
    }
  } catch (err) {
    await Promise.all(written.map((path) => rm(path, { force: true })))
    throw new CertificateBundleError(`Could not write the certificate bundle to ${dir}: ${(err as Error).message}`)
  }
  return written
}

function planBundle(dir: string, bundle: BundleInput): PlannedFile[] {
  const info = parseCertificate(bundle.certificatePem, 'The certificate')
  // The id is the service's name for the certificate (AWS derives it from the DER, moto does not):
  // it is used as given, and only has to be fit to name the files.
  const id = bundle.certificateId
  if (!certificateIdPattern.test(id))
    throw new CertificateBundleError(`The certificate id "${id}" is not a certificate id as AWS IoT gives them (hex digits): it names the bundle's files`)
  const certificatePem = readCertificate(bundle.certificatePem, 'The certificate').toString()

  const files: PlannedFile[] = [{ path: join(dir, `${id}-certificate.pem.crt`), content: certificatePem, mode: 0o644 }]
  let publicKeyPem = bundle.publicKeyPem ?? info.publicKeyPem
  if (bundle.privateKeyPem !== undefined) {
    const privateKey = readPrivateKey(bundle.privateKeyPem)
    const ownPublicKey = exportPublicKey(createPublicKey(privateKey))
    if (ownPublicKey !== info.publicKeyPem)
      throw new CertificateBundleError('The private key does not belong to this certificate: a device could not connect with this pair')
    publicKeyPem = ownPublicKey
    files.push({ path: join(dir, `${id}-private.pem.key`), content: normalizePrivateKey(bundle.privateKeyPem), mode: 0o600 })
  }
  if (exportPublicKey(createPublicKey(publicKeyPem)) !== info.publicKeyPem)
    throw new CertificateBundleError('The public key does not belong to this certificate')
  files.push({ path: join(dir, `${id}-public.pem.key`), content: publicKeyPem, mode: 0o644 })
  files.push({ path: join(dir, 'AmazonRootCA1.pem'), content: amazonRootCaPem(), mode: 0o644 })

  for (const extra of bundle.extraCaFiles ?? []) {
    const name = extra.fileName
    if (!name || name !== basename(name) || name.startsWith('.') || /[\\/:]/.test(name))
      throw new CertificateBundleError(`The CA file name "${name}" must be a plain file name (no folders, not starting with a dot)`)
    readCertificate(extra.pem, `The CA file ${name}`)
    files.push({ path: join(dir, name), content: extra.pem.endsWith('\n') ? extra.pem : `${extra.pem}\n`, mode: 0o644 })
  }
  const names = files.map((file) => basename(file.path))
  const duplicate = names.find((name, index) => names.indexOf(name) !== index)
  if (duplicate) throw new CertificateBundleError(`Two files of the bundle would both be named ${duplicate}: rename the extra CA file`)
  return files
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}
