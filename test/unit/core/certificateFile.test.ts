import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { certificateMatchesKey, parseCertificate, readCertificateFile, splitCertificateFile } from '../../../electron/core/certificates'
import { makeDeviceCertificateWithKey, pemBodyLines } from '../../integration/provisioning/support/deviceCertificate'

// A certificate file as technicians have them: the certificate alone, a chain, or the certificate
// with its private key. Only the certificates go on; the key comes back apart, and only if it is
// the certificate's own.

let device: { certificatePem: string; privateKeyPem: string }
let other: { certificatePem: string; privateKeyPem: string }
let dir: string
beforeAll(async () => {
  ;[device, other] = await Promise.all([makeDeviceCertificateWithKey({ commonName: 'lamp-7' }), makeDeviceCertificateWithKey({ commonName: 'other' })])
  dir = await mkdtemp(join(tmpdir(), 'tb-certfile-'))
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('splitCertificateFile', () => {
  it('takes the certificate blocks of a file holding the key too, and hands back the key apart', () => {
    const file = splitCertificateFile(`${device.privateKeyPem}\n${device.certificatePem}\n`, 'lamp-7.pem')
    expect(file.certificatePem).not.toMatch(/PRIVATE KEY/)
    for (const line of pemBodyLines(device.privateKeyPem)) expect(file.certificatePem).not.toContain(line)
    expect(file.certificateId).toBe(parseCertificate(device.certificatePem).certificateId)
    expect(parseCertificate(file.certificatePem).commonName).toBe('lamp-7')
    expect(file.privateKeyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----/)
    expect(certificateMatchesKey(device.certificatePem, file.privateKeyPem!)).toBe(true)
  })

  it('keeps a chain in order and drops what is not a certificate', () => {
    const file = splitCertificateFile(`notes\n${device.certificatePem}\n${other.certificatePem}`, 'chain.pem')
    const blocks = file.certificatePem.match(/-----BEGIN CERTIFICATE-----/g)
    expect(blocks).toHaveLength(2)
    expect(file.certificatePem).not.toContain('notes')
    expect(file.certificatePem.indexOf(pemBodyLines(device.certificatePem)[0]!)).toBeLessThan(file.certificatePem.indexOf(pemBodyLines(other.certificatePem)[0]!))
    expect(file.privateKeyPem).toBeUndefined()
  })

  it('refuses a key alone, a key for another certificate, two keys, and a file with no certificate, naming the file', () => {
    const refusal = (text: string, name: string) => {
      try {
        splitCertificateFile(text, name)
      } catch (error) {
        return { errorName: (error as { errorName?: string }).errorName, message: (error as Error).message }
      }
      throw new Error('not refused')
    }
    expect(refusal(device.privateKeyPem, 'key.pem')).toEqual({ errorName: 'InvalidCertificateFile', message: expect.stringContaining('key.pem holds a private key but no certificate') })
    expect(refusal(`${other.privateKeyPem}${device.certificatePem}`, 'mixed.pem').message).toMatch(/mixed\.pem holds a private key that does not belong to its certificate \(CN=lamp-7\)/)
    expect(refusal(`${device.privateKeyPem}${other.privateKeyPem}${device.certificatePem}`, 'two.pem').message).toMatch(/two\.pem holds 2 private keys/)
    expect(refusal('hello', 'notes.txt').message).toMatch(/notes\.txt holds no PEM certificate/)
    const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string
    expect(refusal(`${rsaKey}${device.certificatePem}`, 'rsa.pem').message).toMatch(/does not belong to its certificate/)
  })
})

describe('readCertificateFile', () => {
  it('reads a file from disk the same way, and refuses one too large to be a certificate', async () => {
    const both = join(dir, 'both.pem')
    await writeFile(both, `${device.certificatePem}${device.privateKeyPem}`)
    const file = await readCertificateFile(both)
    expect(file.privateKeyPem).toBeDefined()
    expect(file.certificatePem).not.toMatch(/PRIVATE KEY/)

    const big = join(dir, 'big.pem')
    await writeFile(big, device.certificatePem + 'x'.repeat(70_000))
    await expect(readCertificateFile(big)).rejects.toMatchObject({ errorName: 'InvalidCertificateFile', message: expect.stringMatching(/larger than a certificate file can be/) })
    await expect(readCertificateFile(join(dir, 'missing.pem'))).rejects.toMatchObject({ message: expect.stringMatching(/ENOENT/) })
  })
})
