import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { certificatesOnly } from '../../../electron/main/certificateFile'

// A picked certificate file reaches the page without any private key it may bundle.

const certificate = '-----BEGIN CERTIFICATE-----\nMIIBfake+certificate+body\n-----END CERTIFICATE-----'
const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string

describe('certificatesOnly', () => {
  it('keeps the certificate blocks and drops a bundled private key', () => {
    const pem = certificatesOnly(`${privateKey}\n${certificate}\n`, 'device.pem')
    expect(pem).toBe(certificate + '\n')
    expect(pem).not.toMatch(/PRIVATE KEY/)
  })

  it('keeps a whole chain in order', () => {
    const second = certificate.replace('fake', 'second')
    expect(certificatesOnly(`${certificate}\n${second}\n`, 'chain.pem')).toBe(`${certificate}\n${second}\n`)
  })

  it('refuses a key-only file or a file with no certificate, naming the file', () => {
    expect(() => certificatesOnly(privateKey, 'key.pem')).toThrow('key.pem holds a private key but no certificate')
    expect(() => certificatesOnly('hello', 'notes.txt')).toThrow(/notes.txt holds no PEM certificate/)
    try {
      certificatesOnly('hello', 'notes.txt')
    } catch (error) {
      expect((error as { errorName?: string }).errorName).toBe('InvalidCertificateFile')
    }
  })
})
