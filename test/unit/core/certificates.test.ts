import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  CertificateBundleError,
  CertificateFormatError,
  KeyFormatError,
  amazonRootCaPem,
  certificateMatchesKey,
  createCsr,
  generateKeyPair,
  normalizePrivateKey,
  parseCertificate,
  writeCertificateBundle,
  type KeyPair
} from '../../../electron/core/certificates'
import { x509 } from '../../../electron/core/certificates/x509'

/** A certificate for the key pair, issued by a throwaway CA, as AWS would issue one from a CSR. */
async function issueCertificate(keys: KeyPair, commonName = 'lamp-1'): Promise<string> {
  const caKeys = await x509.cryptoProvider.get().subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
  const algorithm = keys.privateKeyPem.includes('EC PRIVATE') ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
  const publicKey = await x509.cryptoProvider
    .get()
    .subtle.importKey('spki', createPublicKey(keys.publicKeyPem).export({ format: 'der', type: 'spki' }), algorithm, true, ['verify'])
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: '0a1b2c',
    subject: `CN=${commonName}`,
    issuer: 'CN=Test CA, O=ThingBench Tests',
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2035-01-01T00:00:00Z'),
    publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' }
  })
  return certificate.toString('pem')
}

describe('generateKeyPair', () => {
  it('makes an EC P-256 key as SEC1 by default, which aws-crt accepts on every OS', async () => {
    const keys = await generateKeyPair('ec')
    expect(keys.privateKeyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/)
    expect(keys.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
    const key = createPrivateKey(keys.privateKeyPem)
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    expect(createPublicKey(key).export({ format: 'pem', type: 'spki' })).toBe(keys.publicKeyPem)
  })

  it.each([
    ['rsa2048', 2048],
    ['rsa3072', 3072]
  ] as const)('makes %s keys as PKCS#1', async (algorithm, bits) => {
    const keys = await generateKeyPair(algorithm)
    expect(keys.privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/)
    expect(createPrivateKey(keys.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(bits)
  })

  it('makes a different key every time', async () => {
    const [a, b] = await Promise.all([generateKeyPair('ec'), generateKeyPair('ec')])
    expect(a.privateKeyPem).not.toBe(b.privateKeyPem)
  })
})

describe('normalizePrivateKey', () => {
  it('turns PKCS#8 EC and RSA keys into SEC1 and PKCS#1 holding the same key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const ecPkcs8 = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    const ecNormal = normalizePrivateKey(ecPkcs8)
    expect(ecNormal).toMatch(/^-----BEGIN EC PRIVATE KEY-----/)
    expect(createPrivateKey(ecNormal).export({ format: 'der', type: 'pkcs8' })).toEqual(ec.privateKey.export({ format: 'der', type: 'pkcs8' }))

    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const rsaNormal = normalizePrivateKey(rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())
    expect(rsaNormal).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/)
    expect(normalizePrivateKey(rsaNormal)).toBe(rsaNormal)
  })

  it('says what is wrong with text that is not a usable private key', async () => {
    expect(() => normalizePrivateKey('hello')).toThrow(KeyFormatError)
    expect(() => normalizePrivateKey('hello')).toThrow(/not a PEM private key/)
    expect(() => normalizePrivateKey(amazonRootCaPem())).toThrow(/certificate, not a private key/)
    const { publicKeyPem } = await generateKeyPair('ec')
    expect(() => normalizePrivateKey(publicKeyPem)).toThrow(/public key, not a private key/)
    const encrypted = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' })
      .toString()
    expect(() => normalizePrivateKey(encrypted)).toThrow(/passphrase/)
    const ed25519 = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    expect(() => normalizePrivateKey(ed25519)).toThrow(/ed25519; AWS IoT certificates need an RSA or EC/)
    expect(() => normalizePrivateKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')).toThrow(/not a readable PEM private key/)
  })
})

describe('createCsr', () => {
  it.each(['ec', 'rsa2048'] as const)('makes a %s CSR signed with SHA-256 that carries the public key and the common name', async (algorithm) => {
    const keys = await generateKeyPair(algorithm)
    const pem = await createCsr(keys, { commonName: 'lamp-1' })
    // RFC 7468's layout, as openssl writes it and AWS's examples show it.
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n([A-Za-z0-9+/]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE REQUEST-----\n$/)
    const csr = new x509.Pkcs10CertificateRequest(pem)
    expect(await csr.verify()).toBe(true)
    expect(csr.subject).toBe('CN=lamp-1')
    expect(csr.signatureAlgorithm.hash.name).toBe('SHA-256')
    expect(Buffer.from(csr.publicKey.rawData)).toEqual(createPublicKey(keys.publicKeyPem).export({ format: 'der', type: 'spki' }))
  })

  it('keeps DN special characters in the common name literal', async () => {
    const csr = new x509.Pkcs10CertificateRequest(await createCsr(await generateKeyPair('ec'), { commonName: 'bench, rack+2 "A" \\1' }))
    expect(csr.subjectName.getField('CN')).toEqual(['bench, rack+2 "A" \\1'])
  })

  it('refuses an empty or over-long common name and a public key from another pair', async () => {
    const keys = await generateKeyPair('ec')
    await expect(createCsr(keys, { commonName: '' })).rejects.toThrow(/common name must be 1 to 64 characters/)
    await expect(createCsr(keys, { commonName: 'x'.repeat(65) })).rejects.toThrow(/1 to 64/)
    const other = await generateKeyPair('ec')
    await expect(createCsr({ privateKeyPem: keys.privateKeyPem, publicKeyPem: other.publicKeyPem }, { commonName: 'a' })).rejects.toThrow(/does not belong/)
  })
})

describe('parseCertificate', () => {
  it('gives the id AWS uses (SHA-256 of the DER) and the fields a person checks', async () => {
    const keys = await generateKeyPair('ec')
    const pem = await issueCertificate(keys, 'lamp-7')
    const info = parseCertificate(pem)
    const node = new X509Certificate(pem)
    expect(info.certificateId).toMatch(/^[0-9a-f]{64}$/)
    expect(info.certificateId).toBe(node.fingerprint256.replace(/:/g, '').toLowerCase())
    expect(info.fingerprintSha256).toBe(node.fingerprint256)
    expect(info.commonName).toBe('lamp-7')
    expect(info.subject).toBe('CN=lamp-7')
    expect(info.issuer).toBe('CN=Test CA, O=ThingBench Tests')
    expect(info.serialNumber).toBe('0a1b2c')
    expect(info.notBefore.toISOString()).toBe('2025-01-01T00:00:00.000Z')
    expect(info.notAfter.toISOString()).toBe('2035-01-01T00:00:00.000Z')
    expect(info.publicKeyPem).toBe(keys.publicKeyPem)
    expect(info.keyAlgorithm).toBe('EC P-256')
  })

  it('reads the first certificate of a chain file', async () => {
    const pem = await issueCertificate(await generateKeyPair('rsa2048'))
    const info = parseCertificate(`${pem}\n${amazonRootCaPem()}`)
    expect(info.certificateId).toBe(parseCertificate(pem).certificateId)
    expect(info.keyAlgorithm).toBe('RSA 2048')
  })

  it('reads the certificate after a key block, with CRLF line ends, and pasted with indented lines', async () => {
    const keys = await generateKeyPair('ec')
    const pem = await issueCertificate(keys)
    const { certificateId } = parseCertificate(pem)
    expect(parseCertificate(`${keys.privateKeyPem}${pem}`).certificateId).toBe(certificateId)
    expect(parseCertificate(pem.replace(/\n/g, '\r\n')).certificateId).toBe(certificateId)
    expect(parseCertificate(`Certificate:\n${pem.replace(/^/gm, '    ')}\n`).certificateId).toBe(certificateId)
  })

  it('rejects what is not a PEM certificate with a clear reason', async () => {
    expect(() => parseCertificate('garbage')).toThrow(CertificateFormatError)
    expect(() => parseCertificate('garbage')).toThrow(/^The text is not a PEM certificate: expected a block between/)
    const { privateKeyPem } = await generateKeyPair('ec')
    expect(() => parseCertificate(privateKeyPem, 'The device certificate')).toThrow(
      /^The device certificate is not a PEM certificate: it holds a "EC PRIVATE KEY" block.*private key/
    )
    expect(() => parseCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow(/cannot be decoded/)
    const pem = await issueCertificate(await generateKeyPair('ec'))
    expect(() => parseCertificate(pem.replace('-----END CERTIFICATE-----', ''))).toThrow(
      /^The text is not a PEM certificate: its CERTIFICATE block cannot be read \(expected lines of base64 up to an "-----END CERTIFICATE-----" line\)$/
    )
    expect(() => parseCertificate(`${privateKeyPem}${pem.replace(/\n(.)/, '\n*$1')}`)).toThrow(/its CERTIFICATE block cannot be read/)
    expect(() => parseCertificate('')).toThrow(/it is empty/)
  })
})

describe('certificateMatchesKey', () => {
  it('is true only for the certificate’s own private key, whatever its PEM encoding', async () => {
    const keys = await generateKeyPair('ec')
    const pem = await issueCertificate(keys)
    expect(certificateMatchesKey(pem, keys.privateKeyPem)).toBe(true)
    const pkcs8 = createPrivateKey(keys.privateKeyPem).export({ format: 'pem', type: 'pkcs8' }).toString()
    expect(certificateMatchesKey(pem, pkcs8)).toBe(true)
    expect(certificateMatchesKey(pem, (await generateKeyPair('ec')).privateKeyPem)).toBe(false)
    expect(() => certificateMatchesKey('nope', keys.privateKeyPem)).toThrow(CertificateFormatError)
  })
})

describe('amazonRootCaPem', () => {
  it('is Amazon Root CA 1, checked by its published SHA-256 fingerprint', () => {
    const certificate = new X509Certificate(amazonRootCaPem())
    expect(certificate.fingerprint256).toBe('8E:CD:E6:88:4F:3D:87:B1:12:5B:A3:1A:C3:FC:B1:3D:70:16:DE:7F:57:CC:90:4F:E1:CB:97:C6:AE:98:19:6E')
    expect(certificate.subject).toContain('CN=Amazon Root CA 1')
  })
})

describe('writeCertificateBundle', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'thingbench-bundle-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('writes the AWS console’s files with the key readable by the owner only, and the key as SEC1', async () => {
    const keys = await generateKeyPair('ec')
    const certificatePem = await issueCertificate(keys)
    const { certificateId } = parseCertificate(certificatePem)
    const pkcs8 = createPrivateKey(keys.privateKeyPem).export({ format: 'pem', type: 'pkcs8' }).toString()
    const localCa = await issueCertificate(await generateKeyPair('ec'), 'Local IoT Core CA')
    const target = join(dir, 'lamp-1')

    const written = await writeCertificateBundle(target, {
      certificateId,
      certificatePem,
      privateKeyPem: pkcs8,
      extraCaFiles: [{ fileName: 'LocalIotCoreCA.pem', pem: localCa }]
    })

    expect(written.map((path) => path.slice(target.length + 1))).toEqual([
      `${certificateId}-certificate.pem.crt`,
      `${certificateId}-private.pem.key`,
      `${certificateId}-public.pem.key`,
      'AmazonRootCA1.pem',
      'LocalIotCoreCA.pem'
    ])
    expect((await readdir(target)).sort()).toEqual(written.map((path) => path.slice(target.length + 1)).sort())
    const privateKeyFile = join(target, `${certificateId}-private.pem.key`)
    expect(await readFile(privateKeyFile, 'utf8')).toBe(keys.privateKeyPem)
    if (process.platform !== 'win32') expect((await stat(privateKeyFile)).mode & 0o777).toBe(0o600)
    expect(await readFile(join(target, `${certificateId}-public.pem.key`), 'utf8')).toBe(keys.publicKeyPem)
    expect(parseCertificate(await readFile(join(target, `${certificateId}-certificate.pem.crt`), 'utf8')).certificateId).toBe(certificateId)
    expect(await readFile(join(target, 'AmazonRootCA1.pem'), 'utf8')).toBe(amazonRootCaPem())
  })

  it('refuses to overwrite existing files and then writes nothing at all', async () => {
    const keys = await generateKeyPair('ec')
    const certificatePem = await issueCertificate(keys)
    const { certificateId } = parseCertificate(certificatePem)
    await writeFile(join(dir, 'AmazonRootCA1.pem'), 'mine')

    await expect(writeCertificateBundle(dir, { certificateId, certificatePem, privateKeyPem: keys.privateKeyPem })).rejects.toThrow(
      /AmazonRootCA1\.pem already exist/
    )
    expect(await readdir(dir)).toEqual(['AmazonRootCA1.pem'])
    expect(await readFile(join(dir, 'AmazonRootCA1.pem'), 'utf8')).toBe('mine')
  })

  it('names the files by the id the service gave, which need not be the SHA-256 of the DER (moto)', async () => {
    const keys = await generateKeyPair('ec')
    const certificatePem = await issueCertificate(keys)
    const serviceId = 'ab'.repeat(32)
    expect(serviceId).not.toBe(parseCertificate(certificatePem).certificateId)
    const written = await writeCertificateBundle(dir, { certificateId: serviceId, certificatePem, privateKeyPem: keys.privateKeyPem })
    expect(written.map((path) => path.slice(dir.length + 1))).toEqual([
      `${serviceId}-certificate.pem.crt`,
      `${serviceId}-private.pem.key`,
      `${serviceId}-public.pem.key`,
      'AmazonRootCA1.pem'
    ])
  })

  it('refuses a key that does not belong to the certificate, an id unfit for a file name and a path as a CA file name', async () => {
    const keys = await generateKeyPair('ec')
    const certificatePem = await issueCertificate(keys)
    const { certificateId } = parseCertificate(certificatePem)
    const otherKey = (await generateKeyPair('ec')).privateKeyPem

    await expect(writeCertificateBundle(dir, { certificateId, certificatePem, privateKeyPem: otherKey })).rejects.toThrow(CertificateBundleError)
    await expect(writeCertificateBundle(dir, { certificateId, certificatePem, privateKeyPem: otherKey })).rejects.toThrow(/does not belong to this certificate/)
    await expect(writeCertificateBundle(dir, { certificateId: '../lamp', certificatePem })).rejects.toThrow(
      /The certificate id "\.\.\/lamp" is not a certificate id as AWS IoT gives them/
    )
    await expect(
      writeCertificateBundle(dir, { certificateId, certificatePem, extraCaFiles: [{ fileName: '../evil.pem', pem: amazonRootCaPem() }] })
    ).rejects.toThrow(/plain file name/)
    expect(await readdir(dir)).toEqual([])
  })

  it('writes certificate, public key and root CA for a device that keeps its own key', async () => {
    const keys = await generateKeyPair('rsa2048')
    const certificatePem = await issueCertificate(keys)
    const { certificateId } = parseCertificate(certificatePem)
    const written = await writeCertificateBundle(dir, { certificateId, certificatePem })
    expect(written.map((path) => path.slice(dir.length + 1))).toEqual([
      `${certificateId}-certificate.pem.crt`,
      `${certificateId}-public.pem.key`,
      'AmazonRootCA1.pem'
    ])
    expect(await readFile(join(dir, `${certificateId}-public.pem.key`), 'utf8')).toBe(keys.publicKeyPem)
  })
})
