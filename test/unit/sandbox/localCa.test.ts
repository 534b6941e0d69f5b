import { X509Certificate, createHash, generateKeyPairSync } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AsnConvert } from '@peculiar/asn1-schema'
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  KeyUsage,
  KeyUsageFlags,
  SubjectKeyIdentifier,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier
} from '@peculiar/asn1-x509'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalCa } from '../../../electron/sandbox/ca/localCa'
import { pemToDer } from '../../../electron/sandbox/ca/pem'
import { FileStore } from '../../../electron/sandbox/state/fileStore'
import type { Store } from '../../../electron/sandbox/state/store'
import { openssl } from '../../support/neededTool'
import { testSecretProtector } from '../../support/sandbox'

/** The sandbox's real store, in a temp folder of its own. */
function tempStore(): Store {
  return FileStore.open(fs.mkdtempSync(path.join(os.tmpdir(), 'thingbench-ca-store-')))
}

const spkiOf = (type: 'ec' | 'rsa'): Buffer =>
  (type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 })).publicKey.export({
    type: 'spki',
    format: 'der'
  })

const derOf = (pem: string): Buffer => pemToDer(pem, ['CERTIFICATE'])
const extensionValue = (certificate: Certificate, id: string) => {
  const found = certificate.tbsCertificate.extensions!.find((e) => e.extnID === id)!
  return { critical: found.critical, value: found.extnValue.buffer }
}

describe('LocalCa', () => {
  const protector = testSecretProtector()
  const store = tempStore()
  let dataDir: string
  let ca: LocalCa
  let caCertificate: X509Certificate
  let caAsn: Certificate

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingbench-localca-'))
    ca = await LocalCa.loadOrCreate(store, dataDir, protector, Date.now())
    caCertificate = new X509Certificate(ca.certificatePem)
    caAsn = AsnConvert.parse(derOf(ca.certificatePem), Certificate)
  })
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }))

  it('issues device certificates that chain to the CA (node verify/checkIssued)', async () => {
    for (const type of ['ec', 'rsa'] as const) {
      const spki = spkiOf(type)
      const issued = await ca.issue(spki, Date.now())
      const certificate = new X509Certificate(issued.certificatePem)
      expect(certificate.verify(caCertificate.publicKey), type).toBe(true)
      expect(certificate.checkIssued(caCertificate), type).toBe(true)
      expect(certificate.subject).toBe('CN=AWS IoT Certificate')
      expect(certificate.issuer).toBe(caCertificate.subject)
      expect(certificate.ca).toBe(false)
      expect(certificate.publicKey.export({ type: 'spki', format: 'der' }).equals(spki)).toBe(true)
      expect(issued.certificateId).toBe(createHash('sha256').update(certificate.raw).digest('hex'))
    }
  })

  it('writes PEM with 64-character lines and a trailing newline, like AWS', async () => {
    const { certificatePem } = await ca.issue(spkiOf('ec'), Date.now())
    const lines = certificatePem.split('\n')
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----')
    expect(lines.at(-2)).toBe('-----END CERTIFICATE-----')
    expect(lines.at(-1)).toBe('')
    const body = lines.slice(1, -2)
    expect(body.slice(0, -1).every((line) => line.length === 64)).toBe(true)
    expect(body.at(-1)!.length).toBeGreaterThan(0)
    expect(body.at(-1)!.length).toBeLessThanOrEqual(64)
    expect(certificatePem).not.toContain('\r')
  })

  it("uses AWS's fields: v3, positive 16-byte serial, the CA's exact subject as issuer, validity to the end of 2049", async () => {
    const now = Date.parse('2026-03-04T05:06:07.890Z')
    const issued = await ca.issue(spkiOf('ec'), now)
    const der = derOf(issued.certificatePem)
    const certificate = AsnConvert.parse(der, Certificate)
    const tbs = certificate.tbsCertificate
    expect(tbs.version).toBe(Version.v3)
    const serial = new Uint8Array(tbs.serialNumber)
    expect(serial.length).toBe(16)
    expect(serial[0]! & 0x80).toBe(0)
    expect(serial[0]).not.toBe(0)
    expect(certificate.signatureAlgorithm.algorithm).toBe('1.2.840.10045.4.3.2')
    expect(certificate.signatureAlgorithm.parameters).toBeUndefined()
    expect(tbs.signature.algorithm).toBe('1.2.840.10045.4.3.2')
    // The issuer is the CA's subject byte for byte.
    const caSubjectDer = Buffer.from(AsnConvert.serialize(caAsn.tbsCertificate.subject))
    expect(Buffer.from(AsnConvert.serialize(tbs.issuer)).equals(caSubjectDer)).toBe(true)
    expect(Buffer.from(certificate.tbsCertificateRaw!).includes(caSubjectDer)).toBe(true)
    // 2026 and 2049 are UTCTime.
    expect(tbs.validity.notBefore.utcTime?.toISOString()).toBe('2026-03-04T05:06:07.000Z')
    expect(tbs.validity.notAfter.utcTime?.toISOString()).toBe('2049-12-31T23:59:59.000Z')
    expect(issued.notBefore).toBe(Date.parse('2026-03-04T05:06:07Z'))
    expect(issued.notAfter).toBe(Date.parse('2049-12-31T23:59:59Z'))
    // Two issues for the same key are different certificates.
    const again = await ca.issue(spkiOf('ec'), now)
    expect(again.certificateId).not.toBe(issued.certificateId)
  })

  it('encodes dates from 2050 on as GeneralizedTime', async () => {
    const issued = await ca.issue(spkiOf('ec'), Date.parse('2050-01-01T00:00:00Z'))
    const validity = AsnConvert.parse(derOf(issued.certificatePem), Certificate).tbsCertificate.validity
    expect(validity.notBefore.generalTime?.toISOString()).toBe('2050-01-01T00:00:00.000Z')
    expect(validity.notBefore.utcTime).toBeUndefined()
    expect(validity.notAfter.utcTime?.toISOString()).toBe('2049-12-31T23:59:59.000Z')
    // The CA itself expires at the end of 2050: GeneralizedTime.
    expect(caAsn.tbsCertificate.validity.notAfter.generalTime?.toISOString()).toBe('2050-12-31T23:59:59.000Z')
  })

  it('carries basicConstraints CA:FALSE and keyUsage digitalSignature (critical), SKI and AKI', async () => {
    const spki = spkiOf('ec')
    const certificate = AsnConvert.parse(derOf((await ca.issue(spki, Date.now())).certificatePem), Certificate)
    expect(certificate.tbsCertificate.extensions!.map((e) => e.extnID)).toEqual([
      id_ce_basicConstraints,
      id_ce_keyUsage,
      id_ce_subjectKeyIdentifier,
      id_ce_authorityKeyIdentifier
    ])
    const basic = extensionValue(certificate, id_ce_basicConstraints)
    expect(basic.critical).toBe(true)
    expect(AsnConvert.parse(basic.value, BasicConstraints).cA).toBe(false)
    expect(Buffer.from(basic.value).toString('hex')).toBe('3000')
    const usage = extensionValue(certificate, id_ce_keyUsage)
    expect(usage.critical).toBe(true)
    expect(AsnConvert.parse(usage.value, KeyUsage).toNumber()).toBe(KeyUsageFlags.digitalSignature)
    const ski = extensionValue(certificate, id_ce_subjectKeyIdentifier)
    expect(ski.critical).toBe(false)
    const subjectPublicKey = new Uint8Array(certificate.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey)
    expect(Buffer.from(AsnConvert.parse(ski.value, SubjectKeyIdentifier).buffer).toString('hex')).toBe(
      createHash('sha1').update(subjectPublicKey).digest('hex')
    )
    const aki = AsnConvert.parse(extensionValue(certificate, id_ce_authorityKeyIdentifier).value, AuthorityKeyIdentifier)
    const caSki = AsnConvert.parse(extensionValue(caAsn, id_ce_subjectKeyIdentifier).value, SubjectKeyIdentifier)
    expect(Buffer.from(aki.keyIdentifier!.buffer).equals(Buffer.from(caSki.buffer))).toBe(true)
    expect(aki.authorityCertIssuer).toBeUndefined()
  })

  it('reloads from the store with the same certificate and a working sealed key', async () => {
    const reloaded = await LocalCa.loadOrCreate(store, dataDir, protector, Date.now())
    expect(reloaded.certificatePem).toBe(ca.certificatePem)
    expect(reloaded.certificateId).toBe(createHash('sha256').update(caCertificate.raw).digest('hex'))
    expect(fs.readFileSync(reloaded.certificatePath, 'utf8')).toBe(ca.certificatePem)
    const issued = await reloaded.issue(spkiOf('ec'), Date.now())
    expect(new X509Certificate(issued.certificatePem).verify(caCertificate.publicKey)).toBe(true)
  })

  it.skipIf(openssl.skip)('issues certificates that openssl parses and verifies against the CA file', async () => {
    openssl.assertPresent()
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingbench-openssl-'))
    try {
      for (const type of ['ec', 'rsa'] as const) {
        const file = path.join(dir, `${type}.pem`)
        fs.writeFileSync(file, (await ca.issue(spkiOf(type), Date.now())).certificatePem)
        const text = execFileSync('openssl', ['x509', '-in', file, '-noout', '-text'], { encoding: 'utf8' })
        expect(text).toMatch(/Subject: CN ?= ?AWS IoT Certificate/)
        expect(text).toContain('Not After : Dec 31 23:59:59 2049 GMT')
        expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/)
        expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature/)
        const verified = execFileSync('openssl', ['verify', '-CAfile', ca.certificatePath, file], { encoding: 'utf8' })
        expect(verified.trim()).toBe(`${file}: OK`)
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
