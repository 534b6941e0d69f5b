/**
 * The OS keychain cannot be used. The message says what to install or unlock on this OS and carries
 * the underlying error. ThingBench never falls back to storing keys in plaintext.
 */
export class KeychainUnavailableError extends Error {
  override name = 'KeychainUnavailableError'
  constructor(cause: unknown, platform: NodeJS.Platform = process.platform) {
    super(`${keychainAdvice(platform)} (underlying error: ${cause instanceof Error ? cause.message : String(cause)})`, { cause })
  }
}

function keychainAdvice(platform: NodeJS.Platform): string {
  const why = 'ThingBench keeps the key that encrypts device private keys in the OS keychain and will not store them without it.'
  switch (platform) {
    case 'darwin':
      return `The macOS keychain is not available. ${why} Unlock the login keychain (Keychain Access > File > Unlock Keychain "login") and allow ThingBench to use it, then try again`
    case 'win32':
      return `Windows Credential Manager is not available. ${why} Sign in to a normal (not a service or guest) Windows user session so Credential Manager can be used, then try again`
    default:
      return `No Secret Service keychain is available. ${why} Install and start gnome-keyring (or KWallet with its Secret Service interface), unlock it, and run ThingBench inside a desktop session with a D-Bus session bus (DBUS_SESSION_BUS_ADDRESS set)`
  }
}

/** The vault file exists but the keychain no longer holds its master key. */
export class VaultKeyMissingError extends Error {
  override name = 'VaultKeyMissingError'
}

/** The keychain holds a key for this vault but it does not open it. */
export class VaultKeyMismatchError extends Error {
  override name = 'VaultKeyMismatchError'
}

/** An entry (or the vault's key check) failed AES-GCM authentication: the file was altered. */
export class VaultIntegrityError extends Error {
  override name = 'VaultIntegrityError'
}

/** The vault file cannot be read as a ThingBench vault. */
export class VaultFormatError extends Error {
  override name = 'VaultFormatError'
}

/** A put, rename or delete that the vault's contents do not allow (bad id, id taken, id missing). */
export class VaultEntryError extends Error {
  override name = 'VaultEntryError'
}
