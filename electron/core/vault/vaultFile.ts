import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { VaultFormatError } from './errors'

// On disk a vault is a header file (vault.json: identity and a key check, no secrets) and a folder
// beside it holding one small file per entry, so a write touches one entry, never the whole vault.

const sealedSchema = z.object({ nonce: z.string(), data: z.string(), tag: z.string() })

export const vaultHeaderSchema = z.object({
  format: z.literal('thingbench-vault'),
  version: z.literal(2),
  /** Random; names the keychain account, so two homes never share a master key. */
  vaultId: z.uuid(),
  createdAt: z.string(),
  cipher: z.literal('aes-256-gcm'),
  /** A known text sealed under the master key: tells a replaced key from a tampered entry. */
  keyCheck: sealedSchema
})

export const vaultEntrySchema = sealedSchema.extend({
  /** The entry's id; also bound into the ciphertext's associated data. */
  id: z.string(),
  createdAt: z.string(),
  meta: z.record(z.string(), z.string())
})

export type VaultHeader = z.infer<typeof vaultHeaderSchema>
export type VaultEntry = z.infer<typeof vaultEntrySchema>

/** The parsed header, or null when there is none yet. */
export async function readVaultHeader(path: string): Promise<VaultHeader | null> {
  const json = await readJson(path, 'vault file')
  if (json === null) return null
  const parsed = vaultHeaderSchema.safeParse(json)
  if (!parsed.success)
    throw new VaultFormatError(
      `The file ${path} is not a ThingBench vault (version 2): ${describeIssue(parsed.error)}. Restore it from a backup, or move it aside to start an empty vault`
    )
  return parsed.data
}

/** The parsed entry file, or null when there is none. */
export async function readVaultEntry(path: string): Promise<VaultEntry | null> {
  const json = await readJson(path, 'vault entry file')
  if (json === null) return null
  const parsed = vaultEntrySchema.safeParse(json)
  if (!parsed.success)
    throw new VaultFormatError(`The vault entry file ${path} is damaged (${describeIssue(parsed.error)}); restore it from a backup or re-provision the device`)
  return parsed.data
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new VaultFormatError(
      `The ${what} ${path} is not valid JSON (${(err as Error).message}); it is damaged. Restore it from a backup, or move it aside (the keys in it are then lost)`
    )
  }
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  return `${issue?.path.join('.') || 'document'}: ${issue?.message}`
}
