import { mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { z } from 'zod'
import { endpointUrlSchema, regionSchema } from '../contract'
import { writeFileAtomic } from '../shared/atomicFile'

// The custom endpoints (moto, LocalStack, a proxy) a person added as connections, kept in the home's
// settings.json under "savedEndpoints". Only these, the Local IoT Core and the AWS profiles can be
// chosen in the UI: the page cannot make the app sign requests to a URL of its own.

export interface SavedEndpoint {
  url: string
  region: string
  label?: string
}

const savedEndpointSchema = z.object({ url: endpointUrlSchema, region: regionSchema, label: z.string().min(1).max(100).optional() })
const settingsSchema = z.looseObject({ savedEndpoints: z.array(savedEndpointSchema).optional() })

/** Writes in this process one after another (read, change, write back). */
const writes = new Map<string, Promise<unknown>>()

export async function listSavedEndpoints(settingsFile: string): Promise<SavedEndpoint[]> {
  return (await readSettings(settingsFile)).savedEndpoints ?? []
}

/** Adds an endpoint, or replaces the region and label of the one with the same URL. Atomic: a kill leaves the old file or the new one. */
export async function saveEndpoint(settingsFile: string, endpoint: SavedEndpoint): Promise<SavedEndpoint> {
  const saved = { url: normalizedUrl(endpoint.url), region: endpoint.region, ...(endpoint.label ? { label: endpoint.label } : {}) }
  const previous = writes.get(settingsFile) ?? Promise.resolve()
  const write = previous.catch(() => undefined).then(async () => {
    const settings = await readSettings(settingsFile)
    const others = (settings.savedEndpoints ?? []).filter((e) => e.url !== saved.url)
    await mkdir(dirname(settingsFile), { recursive: true })
    await writeFileAtomic(settingsFile, `${JSON.stringify({ ...settings, savedEndpoints: [...others, saved] }, null, 2)}\n`)
  })
  writes.set(settingsFile, write)
  await write
  return saved
}

/** The one spelling of a URL, so the same endpoint is not saved twice: no trailing slash. */
export function normalizedUrl(url: string): string {
  return new URL(url).toString().replace(/\/$/, '')
}

async function readSettings(settingsFile: string): Promise<z.infer<typeof settingsSchema>> {
  let text: string
  try {
    text = await readFile(settingsFile, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw err
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new Error(`The settings file ${settingsFile} is not valid JSON (${(err as Error).message}): fix it, or move it aside to start with default settings`)
  }
  const checked = settingsSchema.safeParse(parsed)
  if (!checked.success)
    throw new Error(`The settings file ${settingsFile} has a saved endpoint ThingBench cannot use (${checked.error.issues[0]?.message}): fix or remove it there`)
  return checked.data
}
