import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { syncFolder, syncFolderSync, writeFileAtomic, writeFileAtomicSync } from '../../../electron/shared/atomicFile'

// The one atomic-write helper core (vault, journal) and the Local IoT Core (snapshots, CA file) share.
let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'thingbench-atomic-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe.each([
  ['writeFileAtomic', writeFileAtomic],
  ['writeFileAtomicSync', writeFileAtomicSync]
] as const)('%s', (_name, write) => {
  it('replaces the content, owner-only by default, and leaves no temp file behind', async () => {
    const file = join(dir, 'state.json')
    writeFileSync(file, 'old')
    await write(file, '{"new":true}')
    expect(readFileSync(file, 'utf8')).toBe('{"new":true}')
    expect(readdirSync(dir)).toEqual(['state.json'])
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('writes bytes as given and honours another mode', async () => {
    const file = join(dir, 'ca.pem')
    await write(file, Buffer.from([0, 1, 2, 255]), { mode: 0o644 })
    expect([...readFileSync(file)]).toEqual([0, 1, 2, 255])
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o644)
  })

  it('keeps the old content and removes its temp file when the write fails', async () => {
    const file = join(dir, 'missing-folder', 'state.json')
    await expect(async () => write(file, 'x')).rejects.toThrow(/ENOENT/)
    expect(readdirSync(dir)).toEqual([])
  })

  it('on Windows writes the file without opening its folder (which Windows cannot fsync)', async () => {
    const file = join(dir, 'state.json')
    await write(file, 'windows', { platform: 'win32' })
    expect(readFileSync(file, 'utf8')).toBe('windows')
    expect(readdirSync(dir)).toEqual(['state.json'])
  })
})

describe('syncFolder', () => {
  it('opens and fsyncs the folder elsewhere, and does not touch it on Windows', async () => {
    // A folder that does not exist shows whether it is opened at all.
    const missing = join(dir, 'not-there')
    await expect(syncFolder(missing, 'linux')).rejects.toThrow(/ENOENT/)
    expect(() => syncFolderSync(missing, 'darwin')).toThrow(/ENOENT/)
    await expect(syncFolder(missing, 'win32')).resolves.toBeUndefined()
    expect(() => syncFolderSync(missing, 'win32')).not.toThrow()
    await expect(syncFolder(dir, 'linux')).resolves.toBeUndefined()
  })
})
