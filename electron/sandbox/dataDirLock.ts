import fs from 'node:fs'
import path from 'node:path'
import { isProcessAlive } from '../shared/processAlive'

// One Local IoT Core per data directory: a lock file holding the owner's pid, created exclusively.
// A lock whose pid is no longer running is stale (the owner crashed) and is taken over.

const LOCK_FILE = 'local-iot-core.lock'

export class DataDirectoryInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
    lockPath: string
  ) {
    super(
      `the Local IoT Core data directory ${dataDir} is in use by process ${pid}. ` +
        `Stop that sandbox first or use another data directory; if process ${pid} is not a ThingBench sandbox, delete ${lockPath}.`
    )
    this.name = 'DataDirectoryInUseError'
  }
}

export interface DataDirLock {
  release(): void
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true })
  const lockPath = path.join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx')
      fs.writeSync(fd, `${process.pid}\n`)
      fs.fsyncSync(fd)
      fs.closeSync(fd)
      let released = false
      return {
        release() {
          if (released) return
          released = true
          fs.rmSync(lockPath, { force: true })
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    let owner = Number.NaN
    try {
      owner = Number.parseInt(fs.readFileSync(lockPath, 'utf8').trim(), 10)
    } catch {
      continue // removed meanwhile: try again
    }
    if (Number.isInteger(owner) && owner > 0 && isProcessAlive(owner)) throw new DataDirectoryInUseError(dataDir, owner, lockPath)
    fs.rmSync(lockPath, { force: true })
  }
  throw new Error(`Could not lock the Local IoT Core data directory ${dataDir}: the lock file ${lockPath} keeps changing.`)
}
