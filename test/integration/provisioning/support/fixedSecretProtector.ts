import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import type { SecretProtector } from '../../../../electron/sandbox'

/**
 * The sandbox's secret protector with a key given by the test, so a second process (recovery)
 * can reopen the data directory a killed process used. AES-256-GCM: iv(12) | tag(16) | ciphertext.
 */
export function fixedSecretProtector(keyHex: string): SecretProtector {
  const key = Buffer.from(keyHex, 'hex')
  if (key.length !== 32) throw new Error('fixedSecretProtector needs a 256-bit key as 64 hex digits')
  return {
    async seal(plain) {
      const nonce = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, nonce)
      const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()])
      return Buffer.concat([nonce, cipher.getAuthTag(), ciphertext])
    },
    async open(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12))
      decipher.setAuthTag(sealed.subarray(12, 28))
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()])
    }
  }
}
