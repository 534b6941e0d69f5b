import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * Replaces a file so that a kill at any moment leaves either the old or the new content:
 * temp file (owner-only) + fsync + rename + fsync of the folder.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temp = tempNameFor(path)
  try {
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(content, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  await syncFolder(dirname(path))
}

/**
 * writeFileAtomic without the thread pool, for small files on a hot path (vault entries): a few
 * hundred bytes and two fsyncs cost less inline than five round trips through libuv.
 */
export function writeFileAtomicSync(path: string, content: string): void {
  const temp = tempNameFor(path)
  try {
    const fd = openSync(temp, 'wx', 0o600)
    try {
      const bytes = Buffer.from(content, 'utf8')
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
  syncFolderSync(dirname(path))
}

/** Makes a folder's entries (a new or renamed file's name) durable. */
export async function syncFolder(dir: string): Promise<void> {
  // Windows cannot open a folder for fsync; its rename is atomic on its own.
  if (process.platform === 'win32') return
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export function syncFolderSync(dir: string): void {
  if (process.platform === 'win32') return
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

function tempNameFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
}
