import { KeychainUnavailableError } from './errors'

/** The slice of an OS keychain the vault needs: one secret per account under one service. */
export interface Keychain {
  getSecret(account: string): Promise<Buffer | null>
  setSecret(account: string, secret: Buffer): Promise<void>
  deleteSecret(account: string): Promise<boolean>
}

type KeyringModule = typeof import('@napi-rs/keyring')

let keyringModule: Promise<KeyringModule> | undefined

/**
 * The OS keychain through @napi-rs/keyring: macOS Keychain, Windows Credential Manager, or the
 * Secret Service on Linux. Pinned to the Secret Service there: the library's fallback, the kernel
 * keyring, forgets everything at reboot. Every failure becomes a KeychainUnavailableError.
 */
export function osKeychain(service = 'ThingBench'): Keychain {
  const entry = async (account: string) => {
    // Loaded lazily so a missing native binary is reported as an unavailable keychain, not a crash at import.
    keyringModule ??= import('@napi-rs/keyring')
    const { AsyncEntry } = await keyringModule
    return new AsyncEntry(service, account, { linux: { store: 'secret-service' } })
  }
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work()
    } catch (err) {
      throw new KeychainUnavailableError(err)
    }
  }
  return {
    getSecret: (account) =>
      guarded(async () => {
        const bytes = await (await entry(account)).getSecret()
        return bytes === null ? null : Buffer.from(bytes)
      }),
    setSecret: (account, secret) => guarded(async () => (await entry(account)).setSecret(secret)),
    deleteSecret: (account) => guarded(async () => (await entry(account)).deleteCredential())
  }
}
