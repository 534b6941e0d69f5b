import { createHash, createPrivateKey, randomBytes, sign, webcrypto, type KeyObject } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { AsnConvert, OctetString } from '@peculiar/asn1-schema'
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Time,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_serverAuth
} from '@peculiar/asn1-x509'
import * as x509 from './x509'
import { DER_BIT_STRING, DER_SEQUENCE, derElement } from './der'
import { derToPem, pemToDer } from './pem'
import { writeFileAtomicSync } from '../../shared/atomicFile'
import type { SecretProtector } from '../secretProtector'
import type { Store } from '../state/store'

type X509Keys = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys']

// The sandbox's own root CA (EC P-256), standing in for Amazon's. Made on first start; its public
// certificate is written to `<dataDir>/ca/LocalIoTCoreRootCA.pem` so devices and MQTT clients can
// trust it; its private key is kept only sealed (SecretProtector) in the store's `meta` collection,
// and in memory as a node KeyObject while the sandbox runs.
//
// Device certificates are built directly from the ASN.1 classes of @peculiar/asn1-x509 and signed
// with node:crypto: @peculiar/x509's high-level generator is several times slower, and issuing sits
// on the provisioning hot path. The self-signed CA certificate (made once) still uses it.

export const CA_CERTIFICATE_FILE = 'LocalIoTCoreRootCA.pem'
/** AWS IoT device certificates expire at the end of 2049. */
export const DEVICE_CERTIFICATE_NOT_AFTER = new Date('2049-12-31T23:59:59Z')
const CA_NOT_AFTER = new Date('2050-12-31T23:59:59Z')
const CA_META_KEY = 'ca'
const CA_SUBJECT = 'CN=ThingBench Local IoT Core Root CA, O=ThingBench'
const DEVICE_COMMON_NAME = 'AWS IoT Certificate'
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const
const ID_AT_COMMON_NAME = '2.5.4.3'
const ID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2'

const crypto = webcrypto
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[1])

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

/** The names a TLS server certificate is valid for (its subjectAltName). */
export interface ServerNames {
  dnsNames: string[]
  ipAddresses: string[]
}

/** A server certificate is re-issued at every start, so a short life costs nothing; 397 days is what browsers accept. */
const SERVER_CERTIFICATE_LIFETIME_MS = 397 * 24 * 3600 * 1000

export function certificateIdOf(der: ArrayBuffer | Buffer): string {
  return createHash('sha256').update(Buffer.from(der as ArrayBuffer)).digest('hex')
}

/** ecdsa-with-SHA256, parameters absent (RFC 5758 §3.2): the CA's signature algorithm. */
const ecdsaWithSha256 = (): AlgorithmIdentifier => new AlgorithmIdentifier({ algorithm: ID_ECDSA_WITH_SHA256 })
const SIGNATURE_ALGORITHM_DER = new Uint8Array(AsnConvert.serialize(ecdsaWithSha256()))
const ZERO_UNUSED_BITS = Uint8Array.of(0)

/** AWS's device certificate subject `CN=AWS IoT Certificate` (PrintableString). */
const DEVICE_SUBJECT = new Name([
  new RelativeDistinguishedName([
    new AttributeTypeAndValue({ type: ID_AT_COMMON_NAME, value: new AttributeValue({ printableString: DEVICE_COMMON_NAME }) })
  ])
])

/** RFC 5280 §4.1.2.5: UTCTime for 1950 to 2049, GeneralizedTime otherwise (2050 and later). */
function certificateTime(date: Date): Time {
  const year = date.getUTCFullYear()
  return year >= 1950 && year < 2050 ? new Time({ utcTime: date }) : new Time({ generalTime: date })
}

function extension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) })
}

/** The key identifier of RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's bytes. */
function keyIdentifier(spki: SubjectPublicKeyInfo): Buffer {
  return createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest()
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
}

export class LocalCa {
  /** The CA certificate's subject, which is every device certificate's issuer. */
  private readonly issuer: Name
  /** The extensions every device certificate carries besides its subjectKeyIdentifier. */
  private readonly fixedExtensions: { basicConstraints: Extension; keyUsage: Extension; authorityKeyIdentifier: Extension }
  readonly certificatePem: string
  /** SHA-256 of the CA certificate's DER (the `caCertificateId` of certificates it signed). */
  readonly certificateId: string

  private constructor(
    certificateDer: Buffer,
    private readonly signingKey: KeyObject,
    /** Absolute path of the CA certificate PEM file. */
    readonly certificatePath: string
  ) {
    this.certificatePem = derToPem(certificateDer, 'CERTIFICATE')
    this.certificateId = certificateIdOf(certificateDer)
    const certificate = AsnConvert.parse(certificateDer, Certificate)
    // Device certificates must name the CA's subject byte for byte, or chain building fails: the
    // parsed Name is re-encoded on every issue, so make sure the ASN.1 classes reproduce the CA's
    // TBSCertificate (and with it the subject) exactly.
    if (!Buffer.from(AsnConvert.serialize(certificate.tbsCertificate)).equals(Buffer.from(certificate.tbsCertificateRaw!)))
      throw new Error('The Local IoT Core CA certificate cannot be re-encoded exactly; its subject cannot be used as an issuer name.')
    this.issuer = certificate.tbsCertificate.subject
    const caKeyId =
      certificate.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier)?.extnValue.buffer
    const authorityKeyId = caKeyId
      ? AsnConvert.parse(caKeyId, SubjectKeyIdentifier).buffer
      : arrayBufferOf(keyIdentifier(certificate.tbsCertificate.subjectPublicKeyInfo))
    this.fixedExtensions = {
      basicConstraints: extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
      keyUsage: extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
      authorityKeyIdentifier: extension(
        id_ce_authorityKeyIdentifier,
        false,
        new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(authorityKeyId) })
      )
    }
  }

  static async loadOrCreate(store: Store, dataDir: string, protector: SecretProtector, now: number): Promise<LocalCa> {
    const certificatePath = path.join(dataDir, 'ca', CA_CERTIFICATE_FILE)
    const stored = store.get<StoredCa>('meta', CA_META_KEY)
    let ca: LocalCa
    if (stored) {
      const signingKey = await openSigningKey(protector, Buffer.from(stored.sealedPrivateKey, 'base64'))
      ca = new LocalCa(pemToDer(stored.certificatePem, ['CERTIFICATE']), signingKey, certificatePath)
    } else {
      ca = await LocalCa.create(store, protector, now, certificatePath)
    }
    ca.writeCertificateFile()
    return ca
  }

  private static async create(store: Store, protector: SecretProtector, now: number, certificatePath: string): Promise<LocalCa> {
    const keys = (await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
    // node:crypto's key types and the DOM's (which @peculiar/x509 names) are the same objects.
    const x509Keys = keys as unknown as X509Keys
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial().toString('hex'),
      name: CA_SUBJECT,
      notBefore: wholeSeconds(now - 24 * 3600 * 1000),
      notAfter: CA_NOT_AFTER,
      keys: x509Keys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(x509Keys.publicKey)
      ]
    })
    const certificateDer = Buffer.from(certificate.rawData)
    const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey))
    const sealed = await protector.seal(pkcs8)
    pkcs8.fill(0)
    const record: StoredCa = { certificatePem: derToPem(certificateDer, 'CERTIFICATE'), sealedPrivateKey: sealed.toString('base64') }
    store.commit([{ op: 'put', collection: 'meta', key: CA_META_KEY, value: record }])
    // The live key comes back from the sealed copy, as it will on every later start.
    return new LocalCa(certificateDer, await openSigningKey(protector, sealed), certificatePath)
  }

  private writeCertificateFile(): void {
    const pem = this.certificatePem
    if (fs.existsSync(this.certificatePath) && fs.readFileSync(this.certificatePath, 'utf8') === pem) return
    fs.mkdirSync(path.dirname(this.certificatePath), { recursive: true })
    writeFileAtomicSync(this.certificatePath, pem)
  }

  /** Signs a device certificate for the SubjectPublicKeyInfo (DER, or already parsed) with AWS's subject and validity. */
  async issue(subjectPublicKeyInfo: Buffer | SubjectPublicKeyInfo, now: number): Promise<IssuedCertificate> {
    const spki =
      subjectPublicKeyInfo instanceof SubjectPublicKeyInfo
        ? subjectPublicKeyInfo
        : AsnConvert.parse(subjectPublicKeyInfo, SubjectPublicKeyInfo)
    const { basicConstraints, keyUsage, authorityKeyIdentifier } = this.fixedExtensions
    return this.sign(DEVICE_SUBJECT, spki, wholeSeconds(now), DEVICE_CERTIFICATE_NOT_AFTER, [
      basicConstraints,
      keyUsage,
      extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(spki))),
      authorityKeyIdentifier
    ])
  }

  /**
   * Signs a TLS server certificate (the device gateway's) for the SubjectPublicKeyInfo DER: subject
   * CN = the first DNS name, subjectAltName = every name, extendedKeyUsage serverAuth. Valid from a
   * minute before `now`, so a client whose clock lags a little still accepts it.
   */
  issueServerCertificate(subjectPublicKeyInfo: Buffer, now: number, names: ServerNames): IssuedCertificate {
    const spki = AsnConvert.parse(subjectPublicKeyInfo, SubjectPublicKeyInfo)
    const commonName = names.dnsNames[0] ?? names.ipAddresses[0]
    if (commonName === undefined) throw new Error('A server certificate needs at least one DNS name or IP address.')
    const subject = new Name([
      new RelativeDistinguishedName([new AttributeTypeAndValue({ type: ID_AT_COMMON_NAME, value: new AttributeValue({ utf8String: commonName }) })])
    ])
    const alternativeNames = new SubjectAlternativeName([
      ...names.dnsNames.map((dNSName) => new GeneralName({ dNSName })),
      ...names.ipAddresses.map((iPAddress) => new GeneralName({ iPAddress }))
    ])
    const { basicConstraints, keyUsage, authorityKeyIdentifier } = this.fixedExtensions
    return this.sign(subject, spki, wholeSeconds(now - 60_000), wholeSeconds(now + SERVER_CERTIFICATE_LIFETIME_MS), [
      basicConstraints,
      keyUsage,
      extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth])),
      extension(id_ce_subjectAltName, false, alternativeNames),
      extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(spki))),
      authorityKeyIdentifier
    ])
  }

  private sign(subject: Name, spki: SubjectPublicKeyInfo, notBefore: Date, notAfter: Date, extensions: Extension[]): IssuedCertificate {
    const tbsCertificate = new TBSCertificate({
      version: Version.v3,
      serialNumber: arrayBufferOf(randomSerial()),
      signature: ecdsaWithSha256(),
      issuer: this.issuer,
      validity: Object.assign(new Validity(), { notBefore: certificateTime(notBefore), notAfter: certificateTime(notAfter) }),
      subject,
      subjectPublicKeyInfo: spki,
      extensions: new Extensions(extensions)
    })
    const tbsDer = new Uint8Array(AsnConvert.serialize(tbsCertificate))
    const signature = sign('sha256', tbsDer, this.signingKey) // ECDSA, DER-encoded Ecdsa-Sig-Value
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }, framed
    // by hand around the TBS bytes just signed: serializing a Certificate object would encode the TBS twice.
    const der = derElement(DER_SEQUENCE, tbsDer, SIGNATURE_ALGORITHM_DER, derElement(DER_BIT_STRING, ZERO_UNUSED_BITS, signature))
    return {
      certificatePem: derToPem(der, 'CERTIFICATE'),
      certificateId: certificateIdOf(der),
      notBefore: notBefore.getTime(),
      notAfter: notAfter.getTime()
    }
  }
}

/** The CA's private key from its sealed PKCS#8, as a KeyObject held only in memory; the plaintext is wiped. */
async function openSigningKey(protector: SecretProtector, sealed: Buffer): Promise<KeyObject> {
  const pkcs8 = await protector.open(sealed)
  try {
    return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
  } finally {
    pkcs8.fill(0)
  }
}

function wholeSeconds(epochMs: number): Date {
  return new Date(Math.floor(epochMs / 1000) * 1000)
}

/** 16 random bytes, top bit clear so the DER INTEGER is positive, never zero-led. */
function randomSerial(): Buffer {
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0]! & 0x7f) | 0x40
  return bytes
}
