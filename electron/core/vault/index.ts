export { Vault } from './vault'
export { thingCertificateKeys } from './thingKeys'
export { osKeychain, type Keychain } from './keychain'
export {
  KeychainUnavailableError,
  VaultKeyMissingError,
  VaultKeyMismatchError,
  VaultIntegrityError,
  VaultFormatError,
  VaultEntryError
} from './errors'
