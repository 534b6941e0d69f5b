import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { LocalIotCoreInfo } from '../sandbox'

// While `thingbench sandbox` serves a home's Local IoT Core, other commands on the same home use it
// instead of starting a second one on the same data directory (which its lock would refuse).

const fileName = 'local-iot-core.serving.json'

interface ServingRecord {
  pid: number
  info: LocalIotCoreInfo
}

export async function announceServing(home: string, info: LocalIotCoreInfo): Promise<() => Promise<void>> {
  const file = join(home, fileName)
  // Holds the sandbox's credentials: readable by this user only.
  await writeFile(file, JSON.stringify({ pid: process.pid, info } satisfies ServingRecord), { mode: 0o600 })
  return () => rm(file, { force: true })
}

/** The Local IoT Core another live process serves on this home's data directory, if any. */
export async function findServing(home: string, dataDir: string): Promise<LocalIotCoreInfo | undefined> {
  let record: ServingRecord
  try {
    record = JSON.parse(await readFile(join(home, fileName), 'utf8')) as ServingRecord
  } catch {
    return undefined
  }
  if (record.info?.dataDir !== dataDir || record.pid === process.pid || !isAlive(record.pid)) return undefined
  return record.info
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
