import { mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { z } from 'zod'
import { writeFileAtomic } from '../shared/atomicFile'

// The home's settings.json: one JSON object whose keys belong to different features (saved
// endpoints, export folders chosen in the native dialog). Each feature reads its key through its own
// schema and changes it with updateSettings, which keeps every other key as it was.

/** Writes in this process one after another (read, change, write back). */
const writes = new Map<string, Promise<unknown>>()

/** The settings, checked by `schema` (a loose object, so other features' keys pass); {} when there is no file yet. */
export async function readSettings<S extends z.ZodType<Record<string, unknown>>>(settingsFile: string, schema: S, what: string): Promise<z.infer<S>> {
  let text: string
  try {
    text = await readFile(settingsFile, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return schema.parse({})
    throw err
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new Error(`The settings file ${settingsFile} is not valid JSON (${(err as Error).message}): fix it, or move it aside to start with default settings`)
  }
  const checked = schema.safeParse(parsed)
  if (!checked.success) throw new Error(`The settings file ${settingsFile} has ${what} ThingBench cannot use (${checked.error.issues[0]?.message}): fix or remove it there`)
  return checked.data
}

/** Read, change, write back, atomically (a kill leaves the old file or the new one), one change at a time. */
export async function updateSettings<S extends z.ZodType<Record<string, unknown>>>(
  settingsFile: string,
  schema: S,
  what: string,
  change: (settings: z.infer<S>) => z.infer<S>
): Promise<void> {
  const previous = writes.get(settingsFile) ?? Promise.resolve()
  const write = previous.catch(() => undefined).then(async () => {
    const next = change(await readSettings(settingsFile, schema, what))
    await mkdir(dirname(settingsFile), { recursive: true })
    await writeFileAtomic(settingsFile, `${JSON.stringify(next, null, 2)}\n`)
  })
  writes.set(settingsFile, write)
  await write
}
