import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'

// Replacing a file so that a kill or a power cut at any moment leaves either the old or the new
// content: temp file (owner-only by default) + fsync + rename + fsync of the folder.

export interface AtomicWriteOptions {
  /** Permission bits of the new file (default 0o600: owner only). */
  mode?: number
  /** Decides whether the folder can be fsync'd (default process.platform); tests pass 'win32'. */
  platform?: NodeJS.Platform
}

export async function writeFileAtomic(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempNameFor(path)
  try {
    const handle = await open(temp, 'wx', options.mode ?? 0o600)
    try {
      await handle.writeFile(content)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  await syncFolder(dirname(path), options.platform)
}

/**
 * writeFileAtomic without the thread pool, for small files on a hot path (vault entries, sandbox
 * snapshots): a few hundred bytes and two fsyncs cost less inline than five trips through libuv.
 */
export function writeFileAtomicSync(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const temp = tempNameFor(path)
  try {
    const fd = openSync(temp, 'wx', options.mode ?? 0o600)
    try {
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
      let written = 0
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, path)
  } catch (err) {
    rmSync(temp, { force: true })
    throw err
  }
  syncFolderSync(dirname(path), options.platform)
}

/** Makes a folder's entries (a new or renamed file's name) durable. */
export async function syncFolder(dir: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  if (!canSyncFolder(platform)) return
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export function syncFolderSync(dir: string, platform: NodeJS.Platform = process.platform): void {
  if (!canSyncFolder(platform)) return
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Windows cannot open a folder for fsync; its rename is atomic on its own. */
function canSyncFolder(platform: NodeJS.Platform): boolean {
  return platform !== 'win32'
}

function tempNameFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
}
