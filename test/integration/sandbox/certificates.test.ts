import 'reflect-metadata'
import { X509Certificate, createHash, createPrivateKey, webcrypto } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateCertificateFromCsrCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  DetachThingPrincipalCommand,
  ListCertificatesCommand,
  ListTargetsForPolicyCommand,
  RegisterCertificateWithoutCACommand,
  UpdateCertificateCommand
} from '@aws-sdk/client-iot'
import { CertificationRequest } from '@peculiar/asn1-csr'
import { AsnConvert } from '@peculiar/asn1-schema'
import * as x509 from '@peculiar/x509'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'
import { refusal } from '../../support/refusal'

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])


const idOf = (pem: string): string => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex')

async function csrFor(algorithm: webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams, signing: webcrypto.Algorithm): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: 'CN=bench-device-1',
    keys: keys as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
    signingAlgorithm: signing
  })
  return csr.toString('pem')
}

/** The first CSR with the second one's signature: well-formed, but not signed by its own key. */
function withSignatureOf(csrPem: string, otherPem: string): string {
  const csr = AsnConvert.parse(new x509.Pkcs10CertificateRequest(csrPem).rawData, CertificationRequest)
  csr.signature = AsnConvert.parse(new x509.Pkcs10CertificateRequest(otherPem).rawData, CertificationRequest).signature
  return x509.PemConverter.encode(AsnConvert.serialize(csr), 'CERTIFICATE REQUEST')
}

const policyDocument = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] })

describe('certificates', () => {
  let sandbox: TestSandbox
  let caCertificate: X509Certificate
  beforeAll(async () => {
    sandbox = await startTestSandbox()
    caCertificate = new X509Certificate(fs.readFileSync(sandbox.core.caCertificatePath))
  })
  afterAll(async () => {
    await sandbox.stop()
  })

  it('CreateKeysAndCertificate returns an RSA 2048 PKCS#1 key once and a certificate signed by the sandbox CA', async () => {
    const created = await sandbox.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }))
    const privateKeyPem = created.keyPair!.PrivateKey!
    expect(privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/)
    expect(created.keyPair!.PublicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
    const certificate = new X509Certificate(created.certificatePem!)
    expect(certificate.subject).toBe('CN=AWS IoT Certificate')
    expect(certificate.verify(caCertificate.publicKey)).toBe(true)
    expect(certificate.checkPrivateKey(createPrivateKey(privateKeyPem))).toBe(true)
    expect(createPrivateKey(privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048)
    expect(new Date(certificate.validTo).toISOString()).toBe('2049-12-31T23:59:59.000Z')
    expect(created.certificateId).toBe(idOf(created.certificatePem!))
    expect(created.certificateArn).toBe(`arn:aws:iot:us-east-1:${sandbox.core.accountId}:cert/${created.certificateId}`)

    const described = await sandbox.iot.send(new DescribeCertificateCommand({ certificateId: created.certificateId }))
    expect(described.certificateDescription).toMatchObject({
      certificateId: created.certificateId,
      status: 'ACTIVE',
      certificatePem: created.certificatePem,
      caCertificateId: createHash('sha256').update(caCertificate.raw).digest('hex'),
      certificateMode: 'DEFAULT',
      ownedBy: sandbox.core.accountId
    })
    expect(described.certificateDescription!.creationDate).toBeInstanceOf(Date)
    expect(Math.abs(described.certificateDescription!.creationDate!.getTime() - Date.now())).toBeLessThan(3600_000)
    expect(described.certificateDescription!.validity!.notAfter!.toISOString()).toBe('2049-12-31T23:59:59.000Z')

    // The private key was handed out once: nothing under the data directory holds it.
    const keyBody = privateKeyPem.split('\n')[1]!
    for (const file of fs.readdirSync(sandbox.dataDir, { recursive: true, withFileTypes: true }))
      if (file.isFile()) expect(fs.readFileSync(path.join(file.parentPath, file.name), 'utf8')).not.toContain(keyBody)
  })

  it('CreateKeysAndCertificate without setAsActive makes an INACTIVE certificate', async () => {
    const created = await sandbox.iot.send(new CreateKeysAndCertificateCommand({}))
    const described = await sandbox.iot.send(new DescribeCertificateCommand({ certificateId: created.certificateId }))
    expect(described.certificateDescription!.status).toBe('INACTIVE')
  })

  it('CreateCertificateFromCsr signs EC P-256 and RSA 2048 CSRs, a new certificate each time', async () => {
    const ecCsr = await csrFor({ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.Algorithm)
    const first = await sandbox.iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: ecCsr, setAsActive: true }))
    const second = await sandbox.iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: ecCsr }))
    expect(first.certificateId).not.toBe(second.certificateId)
    expect(first.certificateId).toBe(idOf(first.certificatePem!))
    const certificate = new X509Certificate(first.certificatePem!)
    expect(certificate.verify(caCertificate.publicKey)).toBe(true)
    expect(certificate.checkIssued(caCertificate)).toBe(true)
    expect(certificate.subject).toBe('CN=AWS IoT Certificate')
    expect(new Date(certificate.validTo).toISOString()).toBe('2049-12-31T23:59:59.000Z')
    expect(certificate.publicKey.export({ type: 'spki', format: 'der' })).toEqual(
      Buffer.from(new x509.Pkcs10CertificateRequest(ecCsr).publicKey.rawData)
    )
    expect(certificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    const statuses = await Promise.all(
      [first, second].map(async (c) => (await sandbox.iot.send(new DescribeCertificateCommand({ certificateId: c.certificateId }))).certificateDescription!.status)
    )
    expect(statuses).toEqual(['ACTIVE', 'INACTIVE'])

    const rsaCsr = await csrFor(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      { name: 'RSASSA-PKCS1-v1_5' }
    )
    const rsa = await sandbox.iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: rsaCsr }))
    expect(new X509Certificate(rsa.certificatePem!).publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048)
  })

  it('CreateCertificateFromCsr refuses weak keys and garbage with InvalidRequestException', async () => {
    const weakCsr = await csrFor(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      { name: 'RSASSA-PKCS1-v1_5' }
    )
    const weak = await refusal(sandbox.iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: weakCsr })))
    expect(weak).toMatchObject({ name: 'InvalidRequestException', status: 400 })
    expect(weak.message).toContain('1024 bits')
    const garbage = await refusal(sandbox.iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: 'not a csr' })))
    expect(garbage).toMatchObject({ name: 'InvalidRequestException', status: 400 })
    expect(garbage.message).toContain('BEGIN CERTIFICATE REQUEST')
    const certificateInstead = await refusal(
      sandbox.iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: fs.readFileSync(sandbox.core.caCertificatePath, 'utf8') }))
    )
    expect(certificateInstead).toMatchObject({ name: 'InvalidRequestException', status: 400 })
    expect(certificateInstead.message).toContain('not a valid PKCS#10 CSR')
  })

  it('CreateCertificateFromCsr refuses a CSR whose signature does not match, or uses an unsupported algorithm', async () => {
    const ecCsr = await csrFor({ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.Algorithm)
    const otherCsr = await csrFor({ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.Algorithm)
    const mismatch = await refusal(
      sandbox.iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: withSignatureOf(ecCsr, otherCsr) }))
    )
    expect(mismatch).toMatchObject({ name: 'InvalidRequestException', status: 400 })
    expect(mismatch.message).toBe('The certificate signing request is not valid: its signature does not match its public key.')

    const pss = await csrFor(
      { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      { name: 'RSA-PSS', saltLength: 32 } as webcrypto.Algorithm
    )
    const unsupported = await refusal(sandbox.iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: pss })))
    expect(unsupported).toMatchObject({ name: 'InvalidRequestException', status: 400 })
    expect(unsupported.message).toContain('The certificate signing request is not supported: its signature algorithm 1.2.840.113549.1.1.10')
  })

  it('RegisterCertificateWithoutCA registers a caller-made certificate once', async () => {
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
    const own = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=my-own-device',
      keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.Algorithm,
      notAfter: new Date(Date.now() + 365 * 24 * 3600_000)
    })
    const pem = own.toString('pem')
    const registered = await sandbox.iot.send(new RegisterCertificateWithoutCACommand({ certificatePem: pem, status: 'ACTIVE' }))
    expect(registered.certificateId).toBe(idOf(pem))
    const described = await sandbox.iot.send(new DescribeCertificateCommand({ certificateId: registered.certificateId }))
    expect(described.certificateDescription).toMatchObject({ status: 'ACTIVE', certificateMode: 'SNI_ONLY' })
    expect(described.certificateDescription!.caCertificateId).toBeUndefined()

    const again = await refusal(sandbox.iot.send(new RegisterCertificateWithoutCACommand({ certificatePem: pem })))
    expect(again).toMatchObject({ name: 'ResourceAlreadyExistsException', status: 409 })
    const invalid = await refusal(sandbox.iot.send(new RegisterCertificateWithoutCACommand({ certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' })))
    expect(invalid).toMatchObject({ name: 'CertificateValidationException', status: 400 })
  })

  it('DescribeCertificate of an unknown id is ResourceNotFoundException; a malformed id is InvalidRequestException', async () => {
    expect(await refusal(sandbox.iot.send(new DescribeCertificateCommand({ certificateId: 'a'.repeat(64) })))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404
    })
    const malformed = await refusal(sandbox.iot.send(new DescribeCertificateCommand({ certificateId: 'xyz' })))
    expect(malformed).toMatchObject({ name: 'InvalidRequestException', status: 400 })
    expect(malformed.message).toContain("Value 'xyz' at 'certificateId' failed to satisfy constraint")
  })

  it('UpdateCertificate follows AWS status rules: REVOKED is terminal, PENDING_* cannot be set', async () => {
    const { certificateId } = await sandbox.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }))
    const status = async () => (await sandbox.iot.send(new DescribeCertificateCommand({ certificateId }))).certificateDescription!.status
    await sandbox.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }))
    expect(await status()).toBe('INACTIVE')
    await sandbox.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'ACTIVE' }))
    await sandbox.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'ACTIVE' }))
    expect(await status()).toBe('ACTIVE')
    for (const pending of ['PENDING_TRANSFER', 'PENDING_ACTIVATION'] as const)
      expect(await refusal(sandbox.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: pending })))).toMatchObject({
        name: 'InvalidRequestException',
        status: 400
      })
    await sandbox.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'REVOKED' }))
    const reactivate = await refusal(sandbox.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'ACTIVE' })))
    expect(reactivate).toMatchObject({ name: 'CertificateStateException', status: 406 })
    expect(await status()).toBe('REVOKED')
  })

  it('DeleteCertificate refuses ACTIVE (406), attached things (409) and policies unless forced', async () => {
    const { certificateId, certificateArn } = await sandbox.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }))
    const active = await refusal(sandbox.iot.send(new DeleteCertificateCommand({ certificateId })))
    expect(active).toEqual({
      name: 'CertificateStateException',
      status: 406,
      message: `Certificate must be deactivated (not ACTIVE) before deletion. Id: ${certificateId}`
    })
    await sandbox.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }))

    await sandbox.iot.send(new CreateThingCommand({ thingName: 'cert-delete-thing' }))
    await sandbox.iot.send(new AttachThingPrincipalCommand({ thingName: 'cert-delete-thing', principal: certificateArn }))
    expect(await refusal(sandbox.iot.send(new DeleteCertificateCommand({ certificateId })))).toMatchObject({
      name: 'DeleteConflictException',
      status: 409
    })
    await sandbox.iot.send(new DetachThingPrincipalCommand({ thingName: 'cert-delete-thing', principal: certificateArn }))

    await sandbox.iot.send(new CreatePolicyCommand({ policyName: 'cert-delete-policy', policyDocument }))
    await sandbox.iot.send(new AttachPolicyCommand({ policyName: 'cert-delete-policy', target: certificateArn }))
    expect(await refusal(sandbox.iot.send(new DeleteCertificateCommand({ certificateId })))).toMatchObject({
      name: 'DeleteConflictException',
      status: 409
    })
    await sandbox.iot.send(new DeleteCertificateCommand({ certificateId, forceDelete: true }))
    expect((await sandbox.iot.send(new ListTargetsForPolicyCommand({ policyName: 'cert-delete-policy' }))).targets).toEqual([])
    expect(await refusal(sandbox.iot.send(new DescribeCertificateCommand({ certificateId })))).toMatchObject({
      name: 'ResourceNotFoundException'
    })
  })
})

describe('ListCertificates', () => {
  it('pages with marker/pageSize, newest first unless ascendingOrder', async () => {
    const sandbox = await startTestSandbox()
    try {
      const ids: string[] = []
      for (let i = 0; i < 3; i++) ids.push((await sandbox.iot.send(new CreateKeysAndCertificateCommand({}))).certificateId!)
      const first = await sandbox.iot.send(new ListCertificatesCommand({ pageSize: 2 }))
      expect(first.certificates).toHaveLength(2)
      expect(first.nextMarker).toBeTruthy()
      const second = await sandbox.iot.send(new ListCertificatesCommand({ pageSize: 2, marker: first.nextMarker }))
      expect(second.nextMarker).toBeUndefined()
      const newestFirst = [...first.certificates!, ...second.certificates!].map((c) => c.certificateId)
      expect(newestFirst).toEqual([...ids].reverse())
      const ascending = await sandbox.iot.send(new ListCertificatesCommand({ ascendingOrder: true }))
      expect(ascending.certificates!.map((c) => c.certificateId)).toEqual(ids)
      expect(ascending.certificates![0]).toMatchObject({ status: 'INACTIVE', certificateArn: expect.stringContaining(ids[0]!) })
      expect(await refusal(sandbox.iot.send(new ListCertificatesCommand({ marker: 'bogus' })))).toMatchObject({
        name: 'InvalidRequestException'
      })
    } finally {
      await sandbox.stop()
    }
  })
})
