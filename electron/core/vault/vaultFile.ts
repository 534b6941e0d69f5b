import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { VaultFormatError } from './errors'

const sealedSchema = z.object({ nonce: z.string(), data: z.string(), tag: z.string() })

const entrySchema = sealedSchema.extend({
  createdAt: z.string(),
  meta: z.record(z.string(), z.string())
})

export const vaultFileSchema = z.object({
  format: z.literal('thingbench-vault'),
  version: z.literal(1),
  /** Random; names the keychain account, so two homes never share a master key. */
  vaultId: z.uuid(),
  createdAt: z.string(),
  cipher: z.literal('aes-256-gcm'),
  /** A known text sealed under the master key: tells a replaced key from a tampered entry. */
  keyCheck: sealedSchema,
  entries: z.record(z.string(), entrySchema)
})

export type VaultFile = z.infer<typeof vaultFileSchema>
export type VaultFileEntry = z.infer<typeof entrySchema>

/** The parsed vault file, or null when there is none yet. */
export async function readVaultFile(path: string): Promise<VaultFile | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new VaultFormatError(`The vault file ${path} is not valid JSON (${(err as Error).message}); it is damaged. Restore it from a backup, or move it aside to start an empty vault (its keys are then lost)`)
  }
  const parsed = vaultFileSchema.safeParse(json)
  if (!parsed.success)
    throw new VaultFormatError(
      `The file ${path} is not a ThingBench vault (version 1): ${parsed.error.issues[0]?.path.join('.') || 'document'}: ${parsed.error.issues[0]?.message}. Restore it from a backup, or move it aside to start an empty vault`
    )
  return parsed.data
}
