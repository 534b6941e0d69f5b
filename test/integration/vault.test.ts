import { execFile } from 'node:child_process'
import { createPrivateKey } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateKeyPair } from '../../electron/core/certificates'
import {
  Vault,
  VaultEntryError,
  VaultIntegrityError,
  VaultKeyMismatchError,
  VaultKeyMissingError,
  osKeychain
} from '../../electron/core/vault'

// Runs against the real Secret Service: start vitest through scripts/with-keyring.sh.
const keychain = osKeychain('ThingBench-tests')

describe('Vault (OS keychain + one AES-256-GCM file per entry)', () => {
  let dir: string
  const opened: Vault[] = []
  const open = async (file: string) => {
    const vault = await Vault.open(file, keychain)
    opened.push(vault)
    return vault
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'thingbench-vault-'))
  })
  afterEach(async () => {
    for (const vault of opened.splice(0)) await keychain.deleteSecret(vault.keychainAccount)
    await rm(dir, { recursive: true, force: true })
  })

  it('stores and returns private keys, with their metadata, and persists them across reopening', async () => {
    const file = join(dir, 'home', 'vault.json')
    const ec = await generateKeyPair('ec')
    const rsa = await generateKeyPair('rsa2048')
    const vault = await open(file)
    await vault.put('cert-ec', ec.privateKeyPem, { thingName: 'lamp-1' })
    await vault.put('cert-rsa', rsa.privateKeyPem)

    expect(await vault.get('cert-ec')).toBe(ec.privateKeyPem)
    expect(await vault.has('cert-rsa')).toBe(true)
    expect(await vault.has('nope')).toBe(false)
    expect(await vault.get('nope')).toBeNull()

    const reopened = await Vault.open(file, keychain)
    expect(reopened.vaultId).toBe(vault.vaultId)
    expect(await reopened.get('cert-rsa')).toBe(rsa.privateKeyPem)
    const listed = await reopened.list()
    expect(listed.map((entry) => [entry.id, entry.meta])).toEqual([
      ['cert-ec', { thingName: 'lamp-1' }],
      ['cert-rsa', {}]
    ])
    expect(Number.isNaN(Date.parse(listed[0]!.createdAt))).toBe(false)
  })

  it('sees what another writer (another window, the CLI) stored since it last read the file', async () => {
    const file = join(dir, 'vault.json')
    const app = await open(file)
    const cli = await Vault.open(file, keychain)
    const [a, b] = [await generateKeyPair('ec'), await generateKeyPair('ec')]
    await app.put('from-app', a.privateKeyPem)
    expect(await cli.get('from-app')).toBe(a.privateKeyPem)
    await cli.put('from-cli', b.privateKeyPem)
    await cli.delete('from-app')
    expect(await app.get('from-cli')).toBe(b.privateKeyPem)
    expect(await app.has('from-app')).toBe(false)
    // A change the app then makes keeps the CLI's entry.
    await app.put('again', a.privateKeyPem)
    expect((await cli.list()).map((e) => e.id).sort()).toEqual(['again', 'from-cli'])
  })

  it('never writes the key, or its base64 body, into any of its files; files are owner-only', async () => {
    const file = join(dir, 'vault.json')
    const { privateKeyPem } = await generateKeyPair('rsa2048')
    const vault = await open(file)
    await vault.put('cert-1', privateKeyPem)
    const body = privateKeyPem.split('\n').filter((line) => line && !line.startsWith('-----'))
    const der = createPrivateKey(privateKeyPem).export({ format: 'der', type: 'pkcs1' })

    const files = [file, ...(await readdir(vault.entriesDir)).map((name) => join(vault.entriesDir, name))]
    expect(files).toContain(vault.entryFile('cert-1'))
    for (const path of files) {
      const text = await readFile(path, 'utf8')
      expect(text).not.toContain('PRIVATE KEY')
      for (const line of body) expect(text).not.toContain(line)
      expect(text).not.toContain(der.toString('base64').slice(0, 40))
      expect(text).not.toContain(Buffer.from(privateKeyPem).toString('base64').slice(0, 40))
      if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600)
    }
    if (process.platform !== 'win32') expect(statSync(vault.entriesDir).mode & 0o777).toBe(0o700)
  })

  it('writes one entry file per key and leaves the header and the other entries untouched', async () => {
    const file = join(dir, 'vault.json')
    const vault = await open(file)
    await vault.put('first', 'secret one')
    const before = { header: await readFile(file, 'utf8'), first: await readFile(vault.entryFile('first'), 'utf8'), inode: statSync(file).ino }
    await vault.put('second', 'secret two')
    await vault.rename('second', 'third')
    expect(await readFile(file, 'utf8')).toBe(before.header)
    expect(statSync(file).ino).toBe(before.inode)
    expect(await readFile(vault.entryFile('first'), 'utf8')).toBe(before.first)
    expect((await readdir(vault.entriesDir)).sort()).toEqual([basename(vault.entryFile('first')), basename(vault.entryFile('third'))].sort())
  })

  it('keeps two vaults apart: different master keys, neither opens the other’s entries', async () => {
    const first = await open(join(dir, 'a', 'vault.json'))
    const second = await open(join(dir, 'b', 'vault.json'))
    expect(first.keychainAccount).not.toBe(second.keychainAccount)
    await first.put('shared-id', 'first secret')
    expect(await second.get('shared-id')).toBeNull()

    // Transplant the first vault's entry file into the second vault: it must not decrypt there.
    await copyFile(first.entryFile('shared-id'), second.entryFile('shared-id'))
    await expect(second.get('shared-id')).rejects.toThrow(VaultIntegrityError)
    expect(await first.get('shared-id')).toBe('first secret')
  })

  it('detects a tampered entry, tampered metadata and an entry moved to another id', async () => {
    const vault = await open(join(dir, 'vault.json'))
    await vault.put('cert-1', 'secret one', { thingName: 'lamp-1' })
    await vault.put('cert-2', 'secret two')
    const file = vault.entryFile('cert-1')
    const original = JSON.parse(await readFile(file, 'utf8'))

    const flipped = structuredClone(original)
    const data = Buffer.from(flipped.data, 'base64')
    data[0] = data[0]! ^ 1
    flipped.data = data.toString('base64')
    await writeFile(file, JSON.stringify(flipped))
    await expect(vault.get('cert-1')).rejects.toThrow(/entry "cert-1" .* failed authentication: the file was modified/)

    const relabelled = structuredClone(original)
    relabelled.meta.thingName = 'someone-else'
    await writeFile(file, JSON.stringify(relabelled))
    await expect(vault.get('cert-1')).rejects.toThrow(VaultIntegrityError)

    await writeFile(file, JSON.stringify(original))
    await copyFile(file, vault.entryFile('cert-2'))
    await expect(vault.get('cert-2')).rejects.toThrow(VaultIntegrityError)
    expect((await vault.list()).map((entry) => entry.id)).toEqual(['cert-1'])

    expect(await vault.get('cert-1')).toBe('secret one')
  })

  it('finishes a rename that was interrupted after the new entry was written', async () => {
    const vault = await open(join(dir, 'vault.json'))
    await vault.put('run-1', 'the key')
    // What a crash between writing the target and removing the source leaves behind:
    const interrupted = JSON.parse(await readFile(vault.entryFile('run-1'), 'utf8'))
    await vault.rename('run-1', 'cert-abc')
    await writeFile(vault.entryFile('run-1'), JSON.stringify(interrupted))

    await vault.rename('run-1', 'cert-abc')
    expect(await vault.has('run-1')).toBe(false)
    expect(await vault.get('cert-abc')).toBe('the key')
  })

  it('renames and deletes entries, and refuses to overwrite a different key', async () => {
    const vault = await open(join(dir, 'vault.json'))
    await vault.put('run-1/key', 'the key', { step: 'generateKey' })
    await vault.rename('run-1/key', 'cert-abc')
    expect(await vault.get('run-1/key')).toBeNull()
    expect(await vault.get('cert-abc')).toBe('the key')
    expect((await vault.list())[0]?.meta).toEqual({ step: 'generateKey' })

    await vault.rename('run-1/key', 'cert-abc')
    expect(await vault.get('cert-abc')).toBe('the key')
    await expect(vault.rename('missing', 'x')).rejects.toThrow(/no entry "missing"/)
    await vault.put('other', 'other key')
    await expect(vault.rename('other', 'cert-abc')).rejects.toThrow(/already has an entry "cert-abc"/)
    await expect(vault.put('cert-abc', 'a different key')).rejects.toThrow(VaultEntryError)
    expect(await vault.get('cert-abc')).toBe('the key')
    await vault.put('cert-abc', 'the key', { thingName: 'lamp-1' })
    expect((await vault.list()).find((entry) => entry.id === 'cert-abc')?.meta).toEqual({ thingName: 'lamp-1' })

    expect(await vault.delete('cert-abc')).toBe(true)
    expect(await vault.delete('cert-abc')).toBe(false)
    expect((await vault.list()).map((entry) => entry.id)).toEqual(['other'])
    await expect(vault.put('', 'x')).rejects.toThrow(/id must be a string of 1 to 512/)
  })

  it('keeps every write when many are made at once', async () => {
    const vault = await open(join(dir, 'vault.json'))
    await Promise.all(Array.from({ length: 20 }, (_, i) => vault.put(`key-${i}`, `secret ${i}`)))
    expect((await vault.list()).length).toBe(20)
    expect(await vault.get('key-13')).toBe('secret 13')
  })

  it('says the keys are lost, and creates nothing, when the master key is gone from the keychain', async () => {
    const file = join(dir, 'vault.json')
    const vault = await open(file)
    await vault.put('cert-1', 'secret')
    const before = [await readFile(file, 'utf8'), await readFile(vault.entryFile('cert-1'), 'utf8')]
    expect(await keychain.deleteSecret(vault.keychainAccount)).toBe(true)

    const attempt = Vault.open(file, keychain)
    await expect(attempt).rejects.toThrow(VaultKeyMissingError)
    await expect(Vault.open(file, keychain)).rejects.toThrow(/master key .* is missing from the OS keychain.*cannot be recovered.*move the vault file aside/s)
    expect([await readFile(file, 'utf8'), await readFile(vault.entryFile('cert-1'), 'utf8')]).toEqual(before)
    expect(await keychain.getSecret(vault.keychainAccount)).toBeNull()
  })

  it('refuses a keychain item that does not open the vault', async () => {
    const file = join(dir, 'vault.json')
    const vault = await open(file)
    await keychain.setSecret(vault.keychainAccount, Buffer.alloc(32, 7))
    await expect(Vault.open(file, keychain)).rejects.toThrow(VaultKeyMismatchError)
  })

  it('explains a damaged vault file instead of replacing it', async () => {
    const file = join(dir, 'vault.json')
    await writeFile(file, '{"format": "something else"}')
    await expect(Vault.open(file, keychain)).rejects.toThrow(/is not a ThingBench vault/)
    await writeFile(file, '{ truncated')
    await expect(Vault.open(file, keychain)).rejects.toThrow(/not valid JSON.*damaged/)
    expect(await readFile(file, 'utf8')).toBe('{ truncated')
  })

  it('will not start a new vault over entries whose header is missing', async () => {
    const file = join(dir, 'vault.json')
    const vault = await open(file)
    await vault.put('cert-1', 'secret')
    await rm(file)
    await expect(Vault.open(file, keychain)).rejects.toThrow(/header .* is missing but its entries are still in .*Restore vault.json/s)
    expect(existsSync(file)).toBe(false)
  })

  it('reports KeychainUnavailableError and writes nothing when there is no Secret Service', async () => {
    const home = join(dir, 'home')
    const script = join(dir, 'open-vault.mts')
    const vaultModule = pathToFileURL(resolve('electron/core/vault/index.ts')).href
    await writeFile(
      script,
      `import { Vault, osKeychain } from ${JSON.stringify(vaultModule)}
try {
  await Vault.open(${JSON.stringify(join(home, 'vault.json'))}, osKeychain('ThingBench-tests'))
  console.log(JSON.stringify({ opened: true }))
} catch (err) {
  console.log(JSON.stringify({ name: err.name, message: err.message }))
}
`
    )
    const env = { ...process.env }
    delete env.DBUS_SESSION_BUS_ADDRESS
    delete env.DISPLAY
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { env, cwd: process.cwd() })
    const result = JSON.parse(stdout.trim().split('\n').pop()!)

    expect(result.name).toBe('KeychainUnavailableError')
    expect(result.message).toMatch(/gnome-keyring .* D-Bus session bus/)
    expect(result.message).toMatch(/\(underlying error: .+\)$/)
    expect(await readdir(dir)).toEqual(['open-vault.mts'])
  })
})
