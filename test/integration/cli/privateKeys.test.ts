import { once } from 'node:events'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { certificateMatchesKey, parseCertificate } from '../../../electron/core/certificates'
import { osKeychain, Vault } from '../../../electron/core/vault'
import { makeDeviceCertificateWithKey, pemBodyLines } from '../provisioning/support/deviceCertificate'
import { cliEnv, runThingbench, startThingbench } from '../../support/thingbenchProcess'

// Secrets through the real `thingbench` command: a certificate file that holds its private key
// sends only the certificate to the Local IoT Core (the key kept in the vault with --keep-key), and
// the file `thingbench sandbox` leaves for other commands never holds its secret access key.

const temps: string[] = []
const keychain = osKeychain()
const keychainAccounts: string[] = []
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  temps.push(dir)
  return dir
}
afterAll(async () => {
  for (const account of keychainAccounts) await keychain.deleteSecret(account).catch(() => false)
  for (const dir of temps) await rm(dir, { recursive: true, force: true })
})

async function openVault(home: string): Promise<Vault> {
  const vault = await Vault.open(join(home, 'vault.json'), keychain)
  keychainAccounts.push(vault.keychainAccount)
  return vault
}

/** Every file the Local IoT Core keeps (its state log, snapshots, CA), as one text. */
async function everythingStored(dataDir: string): Promise<string> {
  let all = ''
  for (const entry of await readdir(dataDir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) all += await readFile(join(entry.parentPath, entry.name), 'utf8')
  return all
}

describe('thingbench provision --cert FILE with the key in the file', () => {
  it('sends only the certificate; --keep-key keeps the key in the vault and says so', async () => {
    const home = await tempDir('tb-cli-keys-')
    const device = await makeDeviceCertificateWithKey({ commonName: 'lamp-k7' })
    const file = join(home, 'lamp-k7.pem')
    await writeFile(file, `${device.certificatePem}${device.privateKeyPem}`)

    const result = await runThingbench(['provision', '--thing', 'lamp-k7', '--no-policy', '--cert', file, '--keep-key', '--json'], cliEnv(home))
    expect(result.stderr).toContain(`${file} also held the certificate's private key: it was kept in the vault (encrypted) and not sent to AWS.`)
    expect(result.code).toBe(0)
    const output = JSON.parse(result.stdout) as { certificateId: string; privateKeyInVault: boolean }
    expect(output.privateKeyInVault).toBe(true)
    expect(output.certificateId).toBe(parseCertificate(device.certificatePem).certificateId)
    for (const text of [result.stdout, result.stderr, await everythingStored(join(home, 'local-iot-core'))]) {
      expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/)
      for (const line of pemBodyLines(device.privateKeyPem)) expect(text).not.toContain(line)
    }

    const kept = await (await openVault(home)).get(output.certificateId)
    expect(certificateMatchesKey(device.certificatePem, kept!)).toBe(true)
  })

  it('without --keep-key registers the certificate alone and says the key was not kept; a key alone is refused', async () => {
    const home = await tempDir('tb-cli-keys-')
    const device = await makeDeviceCertificateWithKey({ commonName: 'lamp-k8' })
    const file = join(home, 'lamp-k8.pem')
    await writeFile(file, `${device.privateKeyPem}${device.certificatePem}`)
    const result = await runThingbench(['provision', '--thing', 'lamp-k8', '--no-policy', '--cert', file, '--json'], cliEnv(home))
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('only the certificate was sent to AWS; the key was not kept. Run again with --keep-key')
    const output = JSON.parse(result.stdout) as { certificateId: string; privateKeyInVault: boolean }
    expect(output.privateKeyInVault).toBe(false)
    expect(await (await openVault(home)).has(output.certificateId)).toBe(false)

    const keyOnly = join(home, 'key.pem')
    await writeFile(keyOnly, device.privateKeyPem)
    const refused = await runThingbench(['provision', '--thing', 'lamp-k9', '--cert', keyOnly, '--keep-key'], cliEnv(home))
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(`${keyOnly} holds a private key but no certificate`)
  })
})

describe("the Local IoT Core's serving file", () => {
  it('never holds the secret access key; after a kill -9 the next command starts cleanly and removes it', async () => {
    const home = await tempDir('tb-cli-serving-')
    const sandbox = await startThingbench(['sandbox'], cliEnv(home), (line) => line.startsWith('{'))
    const info = JSON.parse(sandbox.line) as { secretAccessKey: string; accessKeyId: string }
    const servingFile = join(home, 'local-iot-core.serving.json')
    const served = await readFile(servingFile, 'utf8')
    expect(served).toContain(info.accessKeyId)
    expect(served).not.toContain(info.secretAccessKey)
    expect((await stat(servingFile)).mode & 0o777).toBe(0o600)

    // Another command uses the serving Local IoT Core, signing with the secret it found in the vault.
    const used = await runThingbench(['provision', '--thing', 'lamp-s1', '--no-policy', '--json'], cliEnv(home))
    expect(used.code).toBe(0)

    sandbox.child.kill('SIGKILL')
    await once(sandbox.child, 'close')
    const next = await runThingbench(['provision', '--thing', 'lamp-s2', '--no-policy', '--json'], cliEnv(home))
    expect(next.stderr).not.toMatch(/DataDirectoryInUse|ECONNREFUSED|NetworkError/)
    expect(next.code).toBe(0)
    await expect(stat(servingFile)).rejects.toMatchObject({ code: 'ENOENT' })
    const vault = await openVault(home)
    expect((await vault.list()).filter((entry) => entry.id.startsWith('local-iot-core/serving/'))).toEqual([])
  })
})
