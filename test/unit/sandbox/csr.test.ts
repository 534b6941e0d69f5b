import { execFileSync } from 'node:child_process'
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AsnConvert } from '@peculiar/asn1-schema'
import { CertificationRequest, CertificationRequestInfo } from '@peculiar/asn1-csr'
import { AlgorithmIdentifier, AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName, SubjectPublicKeyInfo } from '@peculiar/asn1-x509'
import { describe, expect, it } from 'vitest'
import { derToPem, pemToDer } from '../../../electron/sandbox/ca/pem'
import { csrSignatureMatches, parseCsr, unsupportedSignatureAlgorithmReason } from '../../../electron/sandbox/certificates/csr'
import { readDevicePublicKey } from '../../../electron/sandbox/certificates/deviceKeys'
import { openssl } from '../../support/neededTool'

const OIDS = {
  ecdsaSha1: '1.2.840.10045.4.1',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  rsaSha256: '1.2.840.113549.1.1.11',
  rsaSha384: '1.2.840.113549.1.1.12',
  rsaSha512: '1.2.840.113549.1.1.13'
}
const DER_NULL = new Uint8Array([5, 0]).buffer

const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve })
const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 })
const p256 = ec('P-256')

/** A PKCS#10 CSR for the key pair, signed with `hash` and labelled with `oid` (which need not match: for negative tests). */
function makeCsr(keys: { publicKey: KeyObject; privateKey: KeyObject }, oid: string, hash: string): { pem: string; der: Buffer } {
  const info = new CertificationRequestInfo({
    version: 0,
    subject: new Name([
      new RelativeDistinguishedName([new AttributeTypeAndValue({ type: '2.5.4.3', value: new AttributeValue({ utf8String: 'device-1' }) })])
    ]),
    subjectPKInfo: AsnConvert.parse(keys.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo)
  })
  const signature = sign(hash, new Uint8Array(AsnConvert.serialize(info)), keys.privateKey)
  const isRsa = oid.startsWith('1.2.840.113549')
  const der = Buffer.from(
    AsnConvert.serialize(
      new CertificationRequest({
        certificationRequestInfo: info,
        signatureAlgorithm: new AlgorithmIdentifier({ algorithm: oid, parameters: isRsa ? DER_NULL : undefined }),
        signature: new Uint8Array(signature).buffer
      })
    )
  )
  return { pem: derToPem(der, 'CERTIFICATE REQUEST'), der }
}

function accepts(pem: string): void {
  const csr = parseCsr(pem)
  const key = readDevicePublicKey(csr.subjectPublicKeyInfo)
  expect(key.reason).toBeUndefined()
  expect(unsupportedSignatureAlgorithmReason(csr)).toBeUndefined()
  expect(csrSignatureMatches(csr, key.key!)).toBe(true)
}

function opensslCsr(args: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingbench-csr-'))
  try {
    return execFileSync('openssl', ['req', '-new', '-nodes', '-subj', '/CN=device-1', '-keyout', path.join(dir, 'key.pem'), ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore']
    })
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

describe('CSR parsing and verification', () => {
  it('accepts ECDSA and RSA PKCS#1 v1.5 signatures with SHA-256, SHA-384 and SHA-512', () => {
    accepts(makeCsr(p256, OIDS.ecdsaSha256, 'sha256').pem)
    accepts(makeCsr(ec('P-384'), OIDS.ecdsaSha384, 'sha384').pem)
    accepts(makeCsr(ec('P-521'), OIDS.ecdsaSha512, 'sha512').pem)
    accepts(makeCsr(rsa2048, OIDS.rsaSha256, 'sha256').pem)
    accepts(makeCsr(rsa2048, OIDS.rsaSha384, 'sha384').pem)
    accepts(makeCsr(rsa2048, OIDS.rsaSha512, 'sha512').pem)
  })

  it('returns the SubjectPublicKeyInfo exactly, parsed and as DER', () => {
    const csr = parseCsr(makeCsr(p256, OIDS.ecdsaSha256, 'sha256').pem)
    expect(csr.subjectPublicKeyInfo.equals(p256.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true)
    expect(Buffer.from(AsnConvert.serialize(csr.publicKeyInfo)).equals(csr.subjectPublicKeyInfo)).toBe(true)
  })

  it.skipIf(openssl.skip)('accepts CSRs made by openssl req (EC and RSA)', () => {
    openssl.assertPresent()
    accepts(opensslCsr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']))
    accepts(opensslCsr(['-newkey', 'rsa:2048', '-sha384']))
  })

  it('accepts CRLF line breaks, text around the block and the NEW CERTIFICATE REQUEST label', () => {
    const { pem } = makeCsr(p256, OIDS.ecdsaSha256, 'sha256')
    accepts(pem.replace(/\n/g, '\r\n'))
    accepts(`Certificate Request:\n    Data: ...\n${pem}\ntrailing notes\n`)
    accepts(pem.replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST'))
  })

  it('rejects a signature that does not match the public key or the signed data', () => {
    const { der } = makeCsr(p256, OIDS.ecdsaSha256, 'sha256')
    const other = makeCsr(ec('P-256'), OIDS.ecdsaSha256, 'sha256')
    const mine = parseCsr(derToPem(der, 'CERTIFICATE REQUEST'))
    const theirs = parseCsr(other.pem)
    const key = readDevicePublicKey(mine.subjectPublicKeyInfo).key!
    expect(csrSignatureMatches({ ...mine, signature: theirs.signature }, key)).toBe(false)
    const tampered = Buffer.from(mine.signedData)
    tampered[tampered.length - 1] ^= 1
    expect(csrSignatureMatches({ ...mine, signedData: tampered }, key)).toBe(false)
    expect(csrSignatureMatches({ ...mine, signature: Buffer.from('not DER') }, key)).toBe(false)
  })

  it('rejects an algorithm that does not fit the key type', () => {
    const csr = parseCsr(makeCsr(p256, OIDS.rsaSha256, 'sha256').pem)
    expect(unsupportedSignatureAlgorithmReason(csr)).toBeUndefined()
    expect(csrSignatureMatches(csr, readDevicePublicKey(csr.subjectPublicKeyInfo).key!)).toBe(false)
  })

  it('names an unsupported signature algorithm', () => {
    const sha1 = parseCsr(makeCsr(p256, OIDS.ecdsaSha1, 'sha1').pem)
    expect(unsupportedSignatureAlgorithmReason(sha1)).toMatch(/signature algorithm 1\.2\.840\.10045\.4\.1 is not one AWS IoT accepts/)
    expect(csrSignatureMatches(sha1, readDevicePublicKey(sha1.subjectPublicKeyInfo).key!)).toBe(false)
  })

  it.skipIf(openssl.skip)('names RSASSA-PSS as unsupported', () => {
    openssl.assertPresent()
    const pss = parseCsr(opensslCsr(['-newkey', 'rsa:2048', '-sigopt', 'rsa_padding_mode:pss']))
    expect(unsupportedSignatureAlgorithmReason(pss)).toContain('1.2.840.113549.1.1.10')
  })

  it('is strict about the PEM block and the DER inside it', () => {
    const { pem, der } = makeCsr(p256, OIDS.ecdsaSha256, 'sha256')
    const body = der.toString('base64')
    expect(() => parseCsr('not a csr')).toThrow('no -----BEGIN CERTIFICATE REQUEST----- line')
    expect(() => parseCsr(body)).toThrow('no -----BEGIN CERTIFICATE REQUEST----- line')
    expect(() => parseCsr(pem.replace(/CERTIFICATE REQUEST/g, 'CERTIFICATE'))).toThrow('found a CERTIFICATE block, not a CERTIFICATE REQUEST')
    expect(() => parseCsr(pem.replace('-----END CERTIFICATE REQUEST-----', ''))).toThrow('no -----END CERTIFICATE REQUEST----- line')
    expect(() => parseCsr(pem.replace('-----END CERTIFICATE REQUEST-----', '-----END CERTIFICATE-----'))).toThrow(
      'no -----END CERTIFICATE REQUEST----- line'
    )
    expect(() => parseCsr('-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n')).toThrow('empty')
    expect(() => parseCsr(pem.replace(body.slice(0, 10), `${body.slice(0, 9)}*`))).toThrow('not valid base64')
    expect(() => parseCsr(derToPem(Buffer.concat([der, Buffer.from([0, 0])]), 'CERTIFICATE REQUEST'))).toThrow('bytes after the DER data')
    expect(() => parseCsr(derToPem(der.subarray(0, der.length - 5), 'CERTIFICATE REQUEST'))).toThrow('truncated')
    expect(() => parseCsr(derToPem(Buffer.from('3003020100', 'hex'), 'CERTIFICATE REQUEST'))).toThrow('ASN.1 structure cannot be read')
  })

  it('pemToDer round-trips derToPem', () => {
    const der = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff))
    const pem = derToPem(der, 'CERTIFICATE')
    expect(pem.split('\n').slice(1, -2).every((line, i, lines) => line.length === (i < lines.length - 1 ? 64 : 400 % 64))).toBe(true)
    expect(pemToDer(pem, ['CERTIFICATE']).equals(der)).toBe(true)
  })
})
