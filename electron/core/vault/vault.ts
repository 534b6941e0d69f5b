import { randomBytes, randomUUID } from 'node:crypto'
import { mkdir, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { writeFileAtomic } from '../fs/atomicFile'
import { VaultEntryError, VaultFormatError, VaultIntegrityError, VaultKeyMismatchError, VaultKeyMissingError } from './errors'
import type { Keychain } from './keychain'
import { seal, unseal } from './sealing'
import { readVaultFile, type VaultFile, type VaultFileEntry } from './vaultFile'

const masterKeyBytes = 32
const keyCheckText = Buffer.from('thingbench-vault-key-check')
const maxIdLength = 512

/** Mutations of one file are serialised in this process (read, change, write back). */
const fileLocks = new Map<string, Promise<unknown>>()

/**
 * Private keys encrypted with AES-256-GCM under one random master key that lives in the OS
 * keychain. Each entry has its own nonce; its id, creation time and metadata are bound as
 * associated data, so an entry cannot be altered, swapped or renamed inside the file unnoticed.
 */
export class Vault {
  /**
   * The file as last read or written here, keyed by its inode, size and mtime: every write is a
   * rename of a new file (a new inode), so a change by another process is always seen.
   */
  private cached?: { stamp: string; content: VaultFile }

  private constructor(
    readonly file: string,
    readonly vaultId: string,
    /** The keychain account holding this vault's master key. */
    readonly keychainAccount: string,
    private readonly keychain: Keychain,
    private readonly masterKey: Buffer
  ) {}

  /** Opens the vault at `file`, creating it and its master key on first use. */
  static async open(file: string, keychain: Keychain): Promise<Vault> {
    const path = resolve(file)
    return withFileLock(path, async () => {
      const existing = await readVaultFile(path)
      return existing ? Vault.unlock(path, existing, keychain) : Vault.create(path, keychain)
    })
  }

  private static async create(path: string, keychain: Keychain): Promise<Vault> {
    const vaultId = randomUUID()
    const account = keychainAccountFor(vaultId)
    const masterKey = randomBytes(masterKeyBytes)
    // The key goes into the keychain first: if that fails, nothing is written anywhere.
    await keychain.setSecret(account, masterKey)
    const content: VaultFile = {
      format: 'thingbench-vault',
      version: 1,
      vaultId,
      createdAt: new Date().toISOString(),
      cipher: 'aes-256-gcm',
      keyCheck: seal(masterKey, keyCheckText, keyCheckAad(vaultId)),
      entries: {}
    }
    try {
      await mkdir(dirname(path), { recursive: true })
      await writeFileAtomic(path, serialise(content))
    } catch (err) {
      await keychain.deleteSecret(account).catch(() => false)
      throw err
    }
    return new Vault(path, vaultId, account, keychain, masterKey)
  }

  private static async unlock(path: string, content: VaultFile, keychain: Keychain): Promise<Vault> {
    const account = keychainAccountFor(content.vaultId)
    const masterKey = await keychain.getSecret(account)
    if (masterKey === null)
      throw new VaultKeyMissingError(
        `The vault ${path} exists but its master key (keychain item "${account}") is missing from the OS keychain, so the private keys in it cannot be decrypted and cannot be recovered. ` +
          'If you restored the keychain or moved the app from another account, restore that keychain item. Otherwise move the vault file aside to start a new, empty vault, ' +
          'and give the affected devices new certificates (re-provision them).'
      )
    if (masterKey.length !== masterKeyBytes || unseal(masterKey, content.keyCheck, keyCheckAad(content.vaultId)) === null)
      throw new VaultKeyMismatchError(
        `The keychain item "${account}" does not open the vault ${path}: the keychain item was replaced or the vault file was altered. ` +
          'Restore the original keychain item or vault file from a backup; ThingBench will not overwrite either.'
      )
    return new Vault(path, content.vaultId, account, keychain, masterKey)
  }

  /** Stores a private key (or another secret). Putting the same value again only updates its metadata. */
  async put(id: string, privateKeyPem: string, meta: Record<string, string> = {}): Promise<void> {
    checkId(id)
    if (typeof privateKeyPem !== 'string' || privateKeyPem.length === 0) throw new VaultEntryError(`Nothing to store for "${id}": the private key is empty`)
    checkMeta(meta)
    await this.mutate((content) => {
      const existing = content.entries[id]
      if (existing && this.decrypt(id, existing) !== privateKeyPem)
        throw new VaultEntryError(`The vault already holds a different key under "${id}"; delete that entry first if it is really no longer needed`)
      content.entries[id] = this.encrypt(id, privateKeyPem, existing?.createdAt ?? new Date().toISOString(), meta)
    })
  }

  /** The stored value, or null if there is no entry with that id. */
  async get(id: string): Promise<string | null> {
    checkId(id)
    const entry = (await this.read()).entries[id]
    return entry ? this.decrypt(id, entry) : null
  }

  async has(id: string): Promise<boolean> {
    checkId(id)
    return id in (await this.read()).entries
  }

  /**
   * Moves an entry to a new id (re-encrypted, since the id is bound to the ciphertext). A rename whose
   * source is gone and whose target exists is taken as already done, so a replayed step succeeds.
   */
  async rename(fromId: string, toId: string): Promise<void> {
    checkId(fromId)
    checkId(toId)
    if (fromId === toId) return
    await this.mutate((content) => {
      const entry = content.entries[fromId]
      // Replaying a rename that already happened (crash recovery) is not an error.
      if (!entry && content.entries[toId]) return
      if (!entry) throw new VaultEntryError(`The vault has no entry "${fromId}" to rename`)
      if (content.entries[toId]) throw new VaultEntryError(`Cannot rename "${fromId}" to "${toId}": the vault already has an entry "${toId}"`)
      content.entries[toId] = this.encrypt(toId, this.decrypt(fromId, entry), entry.createdAt, entry.meta)
      delete content.entries[fromId]
    })
  }

  /** True if an entry was deleted, false if there was none. */
  async delete(id: string): Promise<boolean> {
    checkId(id)
    return this.mutate((content) => {
      if (!content.entries[id]) return false
      delete content.entries[id]
      return true
    })
  }

  /** Ids and metadata of all entries (no secrets), oldest first. */
  async list(): Promise<Array<{ id: string; meta: Record<string, string>; createdAt: string }>> {
    const { entries } = await this.read()
    return Object.entries(entries)
      .map(([id, entry]) => ({ id, meta: { ...entry.meta }, createdAt: entry.createdAt }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
  }

  private encrypt(id: string, value: string, createdAt: string, meta: Record<string, string>): VaultFileEntry {
    return { ...seal(this.masterKey, Buffer.from(value, 'utf8'), this.entryAad(id, createdAt, meta)), createdAt, meta: { ...meta } }
  }

  private decrypt(id: string, entry: VaultFileEntry): string {
    const plain = unseal(this.masterKey, entry, this.entryAad(id, entry.createdAt, entry.meta))
    if (plain === null)
      throw new VaultIntegrityError(
        `The vault entry "${id}" in ${this.file} failed authentication: the file was modified or damaged after it was written. The key cannot be trusted; restore the vault file from a backup or re-provision the device`
      )
    return plain.toString('utf8')
  }

  private entryAad(id: string, createdAt: string, meta: Record<string, string>): Buffer {
    const sortedMeta = Object.keys(meta)
      .sort()
      .map((key) => [key, meta[key]])
    return Buffer.from(JSON.stringify(['thingbench-vault-entry/1', this.vaultId, id, createdAt, sortedMeta]))
  }

  /** The current file content; callers get their own copy, so a failed change leaves the cache intact. */
  private async read(): Promise<VaultFile> {
    const stamp = await fileStamp(this.file)
    if (stamp !== null && this.cached?.stamp === stamp) return structuredClone(this.cached.content)
    const content = await readVaultFile(this.file)
    if (content && stamp !== null) this.cached = { stamp, content: structuredClone(content) }
    if (!content) throw new VaultFormatError(`The vault file ${this.file} has disappeared while ThingBench was using it; restore it from a backup`)
    if (content.vaultId !== this.vaultId)
      throw new VaultFormatError(`The vault file ${this.file} was replaced by another vault (id ${content.vaultId}) while ThingBench was using it; restart ThingBench`)
    return content
  }

  private mutate<T>(change: (content: VaultFile) => T): Promise<T> {
    return withFileLock(this.file, async () => {
      const content = await this.read()
      const result = change(content)
      await writeFileAtomic(this.file, serialise(content))
      const stamp = await fileStamp(this.file)
      this.cached = stamp === null ? undefined : { stamp, content }
      return result
    })
  }
}

async function fileStamp(path: string): Promise<string | null> {
  try {
    const s = await stat(path, { bigint: true })
    return `${s.ino}:${s.size}:${s.mtimeNs}`
  } catch {
    return null
  }
}

export function keychainAccountFor(vaultId: string): string {
  return `vault-${vaultId}`
}

function keyCheckAad(vaultId: string): Buffer {
  return Buffer.from(JSON.stringify(['thingbench-vault-key-check/1', vaultId]))
}

function serialise(content: VaultFile): string {
  return `${JSON.stringify(content, null, 2)}\n`
}

function checkId(id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > maxIdLength)
    throw new VaultEntryError(`A vault entry id must be a string of 1 to ${maxIdLength} characters (got ${JSON.stringify(id)})`)
}

function checkMeta(meta: Record<string, string>): void {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new VaultEntryError('Vault entry metadata must be an object of strings')
  for (const [key, value] of Object.entries(meta))
    if (typeof value !== 'string') throw new VaultEntryError(`Vault entry metadata "${key}" must be a string (got ${typeof value})`)
}

async function withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const previous = fileLocks.get(path) ?? Promise.resolve()
  const run = previous.catch(() => undefined).then(work)
  const settled = run.catch(() => undefined)
  fileLocks.set(path, settled)
  try {
    return await run
  } finally {
    if (fileLocks.get(path) === settled) fileLocks.delete(path)
  }
}

