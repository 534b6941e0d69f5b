import { randomUUID } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Vault } from '../core/vault'
import type { LocalIotCoreInfo } from '../sandbox'
import { writeFileAtomic } from '../shared/atomicFile'
import { isProcessAlive } from '../shared/processAlive'

// While `thingbench sandbox` serves a home's Local IoT Core, other commands on the same home use it
// instead of starting a second one on the same data directory (which its lock would refuse). The
// file says where it serves; the secret access key stays sealed in the home's vault, and the file
// only names that vault entry. A file left by a killed process is removed at the next start.

const fileName = 'local-iot-core.serving.json'
const secretPurpose = 'secret access key of a serving Local IoT Core'

interface ServingRecord {
  pid: number
  info: Omit<LocalIotCoreInfo, 'secretAccessKey'>
  /** The vault entry holding the secret access key. */
  secretVaultId: string
}

/** Announces this process's Local IoT Core; returns the function that withdraws it (file and vault entry). */
export async function announceServing(home: string, info: LocalIotCoreInfo, vault: Vault): Promise<() => Promise<void>> {
  await cleanStaleServing(home, vault)
  await forgetSecretsOfGoneProcesses(vault)
  const secretVaultId = `local-iot-core/serving/${randomUUID()}`
  await vault.put(secretVaultId, info.secretAccessKey, { purpose: secretPurpose, pid: String(process.pid) })
  const { secretAccessKey: _secret, ...shared } = info
  await writeFileAtomic(servingFile(home), JSON.stringify({ pid: process.pid, info: shared, secretVaultId } satisfies ServingRecord))
  return async () => {
    await rm(servingFile(home), { force: true })
    await vault.delete(secretVaultId)
  }
}

/** The Local IoT Core another live process serves on this home's data directory, if any. */
export async function findServing(home: string, dataDir: string, vault: Vault): Promise<LocalIotCoreInfo | undefined> {
  const record = await readRecord(home)
  if (!record || record.info?.dataDir !== dataDir || record.pid === process.pid) return undefined
  if (!isProcessAlive(record.pid)) {
    await removeRecord(home, record, vault)
    return undefined
  }
  const secretAccessKey = await vault.get(record.secretVaultId)
  return secretAccessKey === null ? undefined : { ...record.info, secretAccessKey }
}

/**
 * Removes the serving file (and its vault entry) when the process that wrote it is gone, or when it
 * cannot be read: an earlier version's file, which held the secret itself, goes too.
 */
export async function cleanStaleServing(home: string, vault: Vault): Promise<void> {
  let text: string
  try {
    text = await readFile(servingFile(home), 'utf8')
  } catch {
    return
  }
  const record = parseRecord(text)
  if (record && isProcessAlive(record.pid)) return
  if (record) await removeRecord(home, record, vault)
  else await rm(servingFile(home), { force: true })
}

/** Secrets of serving processes killed before they could withdraw, whose file a later one replaced. */
async function forgetSecretsOfGoneProcesses(vault: Vault): Promise<void> {
  for (const entry of await vault.list())
    if (entry.meta.purpose === secretPurpose && !isProcessAlive(Number(entry.meta.pid))) await vault.delete(entry.id)
}

async function readRecord(home: string): Promise<ServingRecord | undefined> {
  try {
    return parseRecord(await readFile(servingFile(home), 'utf8'))
  } catch {
    return undefined
  }
}

function parseRecord(text: string): ServingRecord | undefined {
  try {
    const record = JSON.parse(text) as ServingRecord
    return typeof record?.pid === 'number' && typeof record.secretVaultId === 'string' && record.secretVaultId !== '' ? record : undefined
  } catch {
    return undefined
  }
}

async function removeRecord(home: string, record: ServingRecord, vault: Vault): Promise<void> {
  await rm(servingFile(home), { force: true })
  await vault.delete(record.secretVaultId)
}

function servingFile(home: string): string {
  return join(home, fileName)
}
