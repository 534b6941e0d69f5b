import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/** One AES-256-GCM ciphertext as stored in the vault file (all base64). */
export interface Sealed {
  nonce: string
  data: string
  tag: string
}

const nonceBytes = 12
const tagBytes = 16

/** Encrypts with a fresh random nonce; `aad` is authenticated but not stored. */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  const nonce = randomBytes(nonceBytes)
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: tagBytes })
  cipher.setAAD(aad)
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return { nonce: nonce.toString('base64'), data: data.toString('base64'), tag: cipher.getAuthTag().toString('base64') }
}

/** Decrypts and authenticates; returns null when the ciphertext, nonce, tag or aad do not match. */
export function unseal(key: Buffer, sealed: Sealed, aad: Buffer): Buffer | null {
  try {
    const nonce = Buffer.from(sealed.nonce, 'base64')
    const tag = Buffer.from(sealed.tag, 'base64')
    if (nonce.length !== nonceBytes || tag.length !== tagBytes) return null
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: tagBytes })
    decipher.setAAD(aad)
    decipher.setAuthTag(tag)
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()])
  } catch {
    return null
  }
}
