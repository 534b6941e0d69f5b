import { randomInt } from 'node:crypto'
import type { SecretProtector } from './secretProtector'
import type { Store } from './state/store'

// The sandbox account's identity: account id, endpoint prefix and the one access key that may call
// it. Made on first start and kept in the store's `meta` collection, so they stay the same for a data
// directory. The secret access key is sealed like any other secret.

export interface SandboxIdentity {
  accountId: string
  /** 14 lowercase alphanumerics, like AWS's `{prefix}-ats.iot.{region}.amazonaws.com`. */
  endpointPrefix: string
  accessKeyId: string
  secretAccessKey: string
}

interface StoredIdentity {
  accountId: string
  endpointPrefix: string
  accessKeyId: string
  /** base64 of the sealed secret access key */
  sealedSecretAccessKey: string
}

const IDENTITY_KEY = 'identity'
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

function randomString(alphabet: string, length: number): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('')
}

export async function loadOrCreateIdentity(store: Store, protector: SecretProtector): Promise<SandboxIdentity> {
  const stored = store.get<StoredIdentity>('meta', IDENTITY_KEY)
  if (stored) {
    const secret = await protector.open(Buffer.from(stored.sealedSecretAccessKey, 'base64'))
    return {
      accountId: stored.accountId,
      endpointPrefix: stored.endpointPrefix,
      accessKeyId: stored.accessKeyId,
      secretAccessKey: secret.toString('utf8')
    }
  }
  const identity: SandboxIdentity = {
    // First digit non-zero so the id never looks shortened.
    accountId: String(randomInt(1, 10)) + Array.from({ length: 11 }, () => String(randomInt(10))).join(''),
    endpointPrefix: randomString(LOWER_ALNUM, 14),
    accessKeyId: 'AKIA' + randomString(UPPER_ALNUM, 16),
    secretAccessKey: randomString(SECRET_ALPHABET, 40)
  }
  const sealed = await protector.seal(Buffer.from(identity.secretAccessKey, 'utf8'))
  const record: StoredIdentity = {
    accountId: identity.accountId,
    endpointPrefix: identity.endpointPrefix,
    accessKeyId: identity.accessKeyId,
    sealedSecretAccessKey: sealed.toString('base64')
  }
  store.commit([{ op: 'put', collection: 'meta', key: IDENTITY_KEY, value: record }])
  return identity
}
