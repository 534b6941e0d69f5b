export { Vault } from './vault'
export { osKeychain, type Keychain } from './keychain'
export {
  KeychainUnavailableError,
  VaultKeyMissingError,
  VaultKeyMismatchError,
  VaultIntegrityError,
  VaultFormatError,
  VaultEntryError
} from './errors'
