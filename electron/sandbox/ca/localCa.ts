import { createHash, randomBytes, webcrypto } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import * as x509 from './x509'
import { writeFileAtomic } from '../state/fileStore'
import type { SecretProtector } from '../secretProtector'
import type { Store } from '../state/store'

// The sandbox's own root CA (EC P-256), standing in for Amazon's. Made on first start; its public
// certificate is written to `<dataDir>/ca/LocalIoTCoreRootCA.pem` so devices and MQTT clients can
// trust it; its private key is kept only sealed (SecretProtector) in the store's `meta` collection.

export const CA_CERTIFICATE_FILE = 'LocalIoTCoreRootCA.pem'
/** AWS IoT device certificates expire at the end of 2049. */
export const DEVICE_CERTIFICATE_NOT_AFTER = new Date('2049-12-31T23:59:59Z')
const CA_NOT_AFTER = new Date('2050-12-31T23:59:59Z')
const CA_META_KEY = 'ca'
const CA_SUBJECT = 'CN=ThingBench Local IoT Core Root CA, O=ThingBench'
const DEVICE_SUBJECT = 'CN=AWS IoT Certificate'
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const

type CryptoKey = webcrypto.CryptoKey
const crypto = webcrypto
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

interface StoredCa {
  certificatePem: string
  /** base64 of the sealed PKCS#8 DER private key */
  sealedPrivateKey: string
}

export interface IssuedCertificate {
  certificatePem: string
  /** lowercase hex SHA-256 of the DER: AWS's certificate id */
  certificateId: string
  notBefore: number
  notAfter: number
}

export function certificateIdOf(der: ArrayBuffer | Buffer): string {
  return createHash('sha256').update(Buffer.from(der as ArrayBuffer)).digest('hex')
}

/** PEM the way AWS returns it: `-----BEGIN CERTIFICATE-----` … with a trailing newline. */
function toPem(certificate: x509.X509Certificate): string {
  return certificate.toString('pem').replace(/\r\n/g, '\n').trimEnd() + '\n'
}

export class LocalCa {
  private constructor(
    private readonly certificate: x509.X509Certificate,
    private readonly signingKey: CryptoKey,
    /** Absolute path of the CA certificate PEM file. */
    readonly certificatePath: string
  ) {}

  get certificatePem(): string {
    return toPem(this.certificate)
  }

  /** SHA-256 of the CA certificate's DER (the `caCertificateId` of certificates it signed). */
  get certificateId(): string {
    return certificateIdOf(this.certificate.rawData)
  }

  static async loadOrCreate(store: Store, dataDir: string, protector: SecretProtector, now: number): Promise<LocalCa> {
    const certificatePath = path.join(dataDir, 'ca', CA_CERTIFICATE_FILE)
    const stored = store.get<StoredCa>('meta', CA_META_KEY)
    let ca: LocalCa
    if (stored) {
      const pkcs8 = await protector.open(Buffer.from(stored.sealedPrivateKey, 'base64'))
      const signingKey = await crypto.subtle.importKey('pkcs8', pkcs8, EC_P256, false, ['sign'])
      pkcs8.fill(0)
      ca = new LocalCa(new x509.X509Certificate(stored.certificatePem), signingKey, certificatePath)
    } else {
      ca = await LocalCa.create(store, protector, now, certificatePath)
    }
    ca.writeCertificateFile()
    return ca
  }

  private static async create(store: Store, protector: SecretProtector, now: number, certificatePath: string): Promise<LocalCa> {
    const keys = (await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: CA_SUBJECT,
      notBefore: wholeSeconds(now - 24 * 3600 * 1000),
      notAfter: CA_NOT_AFTER,
      keys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
      ]
    })
    const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey))
    const sealed = await protector.seal(pkcs8)
    pkcs8.fill(0)
    const record: StoredCa = { certificatePem: toPem(certificate), sealedPrivateKey: sealed.toString('base64') }
    store.commit([{ op: 'put', collection: 'meta', key: CA_META_KEY, value: record }])
    // Re-import without extractability: the live key can sign but never be exported again.
    const signingKey = await crypto.subtle.importKey(
      'pkcs8',
      await protector.open(sealed),
      EC_P256,
      false,
      ['sign']
    )
    return new LocalCa(certificate, signingKey, certificatePath)
  }

  private writeCertificateFile(): void {
    const pem = this.certificatePem
    if (fs.existsSync(this.certificatePath) && fs.readFileSync(this.certificatePath, 'utf8') === pem) return
    fs.mkdirSync(path.dirname(this.certificatePath), { recursive: true })
    writeFileAtomic(this.certificatePath, pem)
  }

  /** Signs a device certificate for the SubjectPublicKeyInfo (DER) with AWS's subject and validity. */
  async issue(subjectPublicKeyInfo: Buffer, now: number): Promise<IssuedCertificate> {
    const publicKey = new x509.PublicKey(subjectPublicKeyInfo)
    const notBefore = wholeSeconds(now)
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: DEVICE_SUBJECT,
      issuer: this.certificate.subject,
      notBefore,
      notAfter: DEVICE_CERTIFICATE_NOT_AFTER,
      publicKey,
      signingKey: this.signingKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        await x509.SubjectKeyIdentifierExtension.create(publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.certificate.publicKey)
      ]
    })
    return {
      certificatePem: toPem(certificate),
      certificateId: certificateIdOf(certificate.rawData),
      notBefore: notBefore.getTime(),
      notAfter: DEVICE_CERTIFICATE_NOT_AFTER.getTime()
    }
  }
}

function wholeSeconds(epochMs: number): Date {
  return new Date(Math.floor(epochMs / 1000) * 1000)
}

/** 16 random bytes, top bit clear so the DER INTEGER is positive, never zero-led. */
function randomSerial(): string {
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0]! & 0x7f) | 0x40
  return bytes.toString('hex')
}
