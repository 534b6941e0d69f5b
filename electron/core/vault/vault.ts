import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { unlinkSync } from 'node:fs'
import { mkdir, readdir } from 'node:fs/promises'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { syncFolderSync, writeFileAtomic, writeFileAtomicSync } from '../../shared/atomicFile'
import { VaultEntryError, VaultFormatError, VaultIntegrityError, VaultKeyMismatchError, VaultKeyMissingError } from './errors'
import type { Keychain } from './keychain'
import { seal, unseal } from './sealing'
import { readVaultEntry, readVaultHeader, type VaultEntry, type VaultHeader } from './vaultFile'

const masterKeyBytes = 32
const keyCheckText = Buffer.from('thingbench-vault-key-check')
const maxIdLength = 512
const entryFilePattern = /^[0-9a-f]{64}\.json$/

/** Mutations of one vault are serialised in this process (check, then write). */
const vaultLocks = new Map<string, Promise<unknown>>()

/**
 * Private keys encrypted with AES-256-GCM under one random master key that lives in the OS
 * keychain. Each entry is its own file with its own nonce; its id, creation time and metadata are
 * bound as associated data, so an entry cannot be altered, swapped or renamed unnoticed.
 */
export class Vault {
  private constructor(
    readonly file: string,
    /** The folder beside the header that holds one file per entry. */
    readonly entriesDir: string,
    readonly vaultId: string,
    /** The keychain account holding this vault's master key. */
    readonly keychainAccount: string,
    private readonly keychain: Keychain,
    private readonly masterKey: Buffer
  ) {}

  /** Opens the vault whose header is `file`, creating it and its master key on first use. */
  static async open(file: string, keychain: Keychain): Promise<Vault> {
    const path = resolve(file)
    return withLock(path, async () => {
      const header = await readVaultHeader(path)
      return header ? Vault.unlock(path, header, keychain) : Vault.create(path, keychain)
    })
  }

  private static async create(path: string, keychain: Keychain): Promise<Vault> {
    const entriesDir = entriesDirOf(path)
    if ((await entryFileNames(entriesDir)).length > 0)
      throw new VaultFormatError(
        `The vault header ${path} is missing but its entries are still in ${entriesDir}. Restore ${basename(path)} from a backup; ` +
          'ThingBench will not start a new vault over keys it cannot open. To start afresh, move that folder aside (its keys are then lost).'
      )
    const vaultId = randomUUID()
    const account = keychainAccountFor(vaultId)
    const masterKey = randomBytes(masterKeyBytes)
    // The key goes into the keychain first: if that fails, nothing is written anywhere.
    await keychain.setSecret(account, masterKey)
    const header: VaultHeader = {
      format: 'thingbench-vault',
      version: 2,
      vaultId,
      createdAt: new Date().toISOString(),
      cipher: 'aes-256-gcm',
      keyCheck: seal(masterKey, keyCheckText, keyCheckAad(vaultId))
    }
    try {
      await mkdir(entriesDir, { recursive: true, mode: 0o700 })
      await writeFileAtomic(path, `${JSON.stringify(header, null, 2)}\n`)
    } catch (err) {
      await keychain.deleteSecret(account).catch(() => false)
      throw err
    }
    return new Vault(path, entriesDir, vaultId, account, keychain, masterKey)
  }

  private static async unlock(path: string, header: VaultHeader, keychain: Keychain): Promise<Vault> {
    const account = keychainAccountFor(header.vaultId)
    const masterKey = await keychain.getSecret(account)
    if (masterKey === null)
      throw new VaultKeyMissingError(
        `The vault ${path} exists but its master key (keychain item "${account}") is missing from the OS keychain, so the private keys in it cannot be decrypted and cannot be recovered. ` +
          'If you restored the keychain or moved the app from another account, restore that keychain item. Otherwise move the vault file aside to start a new, empty vault, ' +
          'and give the affected devices new certificates (re-provision them).'
      )
    if (masterKey.length !== masterKeyBytes || unseal(masterKey, header.keyCheck, keyCheckAad(header.vaultId)) === null)
      throw new VaultKeyMismatchError(
        `The keychain item "${account}" does not open the vault ${path}: the keychain item was replaced or the vault file was altered. ` +
          'Restore the original keychain item or vault file from a backup; ThingBench will not overwrite either.'
      )
    const entriesDir = entriesDirOf(path)
    await mkdir(entriesDir, { recursive: true, mode: 0o700 })
    return new Vault(path, entriesDir, header.vaultId, account, keychain, masterKey)
  }

  /** Stores a private key (or another secret). Putting the same value again only updates its metadata. */
  async put(id: string, privateKeyPem: string, meta: Record<string, string> = {}): Promise<void> {
    checkId(id)
    if (typeof privateKeyPem !== 'string' || privateKeyPem.length === 0) throw new VaultEntryError(`Nothing to store for "${id}": the private key is empty`)
    checkMeta(meta)
    await withLock(this.file, async () => {
      const existing = await this.readEntry(id)
      if (existing && this.decrypt(id, existing) !== privateKeyPem)
        throw new VaultEntryError(`The vault already holds a different key under "${id}"; delete that entry first if it is really no longer needed`)
      await this.writeEntry(this.encrypt(id, privateKeyPem, existing?.createdAt ?? new Date().toISOString(), meta))
    })
  }

  /** The stored value, or null if there is no entry with that id. */
  async get(id: string): Promise<string | null> {
    checkId(id)
    const entry = await this.readEntry(id)
    return entry ? this.decrypt(id, entry) : null
  }

  async has(id: string): Promise<boolean> {
    checkId(id)
    return (await this.readEntry(id)) !== null
  }

  /**
   * Moves an entry to a new id (re-encrypted, since the id is bound to the ciphertext). A rename whose
   * source is gone and whose target exists is taken as already done, so a replayed step succeeds.
   */
  async rename(fromId: string, toId: string): Promise<void> {
    checkId(fromId)
    checkId(toId)
    if (fromId === toId) return
    await withLock(this.file, async () => {
      const [source, target] = [await this.readEntry(fromId), await this.readEntry(toId)]
      // Replaying a rename that already happened (crash recovery) is not an error.
      if (!source && target) return
      if (!source) throw new VaultEntryError(`The vault has no entry "${fromId}" to rename`)
      const value = this.decrypt(fromId, source)
      if (target && this.decrypt(toId, target) !== value)
        throw new VaultEntryError(`Cannot rename "${fromId}" to "${toId}": the vault already has an entry "${toId}"`)
      // The target is written before the source goes: a crash in between leaves both, and the replay finishes it.
      if (!target) await this.writeEntry(this.encrypt(toId, value, source.createdAt, source.meta))
      await this.removeEntryFile(fromId)
    })
  }

  /** True if an entry was deleted, false if there was none. */
  async delete(id: string): Promise<boolean> {
    checkId(id)
    return withLock(this.file, () => this.removeEntryFile(id))
  }

  /** Ids and metadata of all entries (no secrets), oldest first. */
  async list(): Promise<Array<{ id: string; meta: Record<string, string>; createdAt: string }>> {
    const listed: Array<{ id: string; meta: Record<string, string>; createdAt: string }> = []
    for (const name of await entryFileNames(this.entriesDir)) {
      const entry = await readVaultEntry(join(this.entriesDir, name))
      // An entry whose id does not match its file name was moved there: it is not listed as that id.
      if (entry && entryFileName(entry.id) === name) listed.push({ id: entry.id, meta: { ...entry.meta }, createdAt: entry.createdAt })
    }
    return listed.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
  }

  /** The file that holds (or would hold) the entry `id`. */
  entryFile(id: string): string {
    return join(this.entriesDir, entryFileName(id))
  }

  private readEntry(id: string): Promise<VaultEntry | null> {
    return readVaultEntry(this.entryFile(id))
  }

  // Entry files are small and on the provisioning path: written inline (see writeFileAtomicSync).
  private async writeEntry(entry: VaultEntry): Promise<void> {
    writeFileAtomicSync(this.entryFile(entry.id), `${JSON.stringify(entry)}\n`)
  }

  private async removeEntryFile(id: string): Promise<boolean> {
    try {
      unlinkSync(this.entryFile(id))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
      throw err
    }
    syncFolderSync(this.entriesDir)
    return true
  }

  private encrypt(id: string, value: string, createdAt: string, meta: Record<string, string>): VaultEntry {
    return { id, createdAt, meta: { ...meta }, ...seal(this.masterKey, Buffer.from(value, 'utf8'), this.entryAad(id, createdAt, meta)) }
  }

  private decrypt(id: string, entry: VaultEntry): string {
    const plain = unseal(this.masterKey, entry, this.entryAad(id, entry.createdAt, entry.meta))
    if (plain === null)
      throw new VaultIntegrityError(
        `The vault entry "${id}" in ${this.entriesDir} failed authentication: the file was modified or damaged after it was written. The key cannot be trusted; restore the vault from a backup or re-provision the device`
      )
    return plain.toString('utf8')
  }

  private entryAad(id: string, createdAt: string, meta: Record<string, string>): Buffer {
    const sortedMeta = Object.keys(meta)
      .sort()
      .map((key) => [key, meta[key]])
    return Buffer.from(JSON.stringify(['thingbench-vault-entry/1', this.vaultId, id, createdAt, sortedMeta]))
  }
}

/** vault.json -> vault.entries (beside it). */
function entriesDirOf(headerFile: string): string {
  return join(dirname(headerFile), `${basename(headerFile, extname(headerFile))}.entries`)
}

/** Ids may hold any character: the file is named by the id's SHA-256. */
function entryFileName(id: string): string {
  return `${createHash('sha256').update(id, 'utf8').digest('hex')}.json`
}

async function entryFileNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => entryFilePattern.test(name))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}

export function keychainAccountFor(vaultId: string): string {
  return `vault-${vaultId}`
}

function keyCheckAad(vaultId: string): Buffer {
  return Buffer.from(JSON.stringify(['thingbench-vault-key-check/1', vaultId]))
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

async function withLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const previous = vaultLocks.get(path) ?? Promise.resolve()
  const run = previous.catch(() => undefined).then(work)
  const settled = run.catch(() => undefined)
  vaultLocks.set(path, settled)
  try {
    return await run
  } finally {
    if (vaultLocks.get(path) === settled) vaultLocks.delete(path)
  }
}

