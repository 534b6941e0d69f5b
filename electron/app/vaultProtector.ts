import { randomUUID } from 'node:crypto'
import type { Vault } from '../core/vault'
import type { SecretProtector } from '../sandbox'

/**
 * Lets the Local IoT Core keep its CA key in the app's vault: what the sandbox stores on disk is
 * only a reference to a vault entry, the key itself is encrypted under the keychain's master key.
 */
export function vaultSecretProtector(vault: Vault): SecretProtector {
  const prefix = 'vault-ref:'
  return {
    async seal(plain: Buffer): Promise<Buffer> {
      const id = `local-iot-core/${randomUUID()}`
      await vault.put(id, plain.toString('base64'), { purpose: 'Local IoT Core secret' })
      return Buffer.from(prefix + id)
    },
    async open(sealed: Buffer): Promise<Buffer> {
      const reference = sealed.toString()
      if (!reference.startsWith(prefix)) throw new Error('The Local IoT Core secret is not a vault reference')
      const stored = await vault.get(reference.slice(prefix.length))
      if (stored === null)
        throw new Error(
          `The Local IoT Core's CA key (${reference.slice(prefix.length)}) is missing from the vault; ` +
            'move its data directory aside to start with a fresh sandbox.'
        )
      return Buffer.from(stored, 'base64')
    }
  }
}
