import { z } from 'zod'
import { endpointUrlSchema, regionSchema } from '../contract'
import { readSettings, updateSettings } from './settingsFile'

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

const what = 'a saved endpoint'

export async function listSavedEndpoints(settingsFile: string): Promise<SavedEndpoint[]> {
  return (await readSettings(settingsFile, settingsSchema, what)).savedEndpoints ?? []
}

/** Adds an endpoint, or replaces the region and label of the one with the same URL. Atomic: a kill leaves the old file or the new one. */
export async function saveEndpoint(settingsFile: string, endpoint: SavedEndpoint): Promise<SavedEndpoint> {
  const saved = { url: normalizedUrl(endpoint.url), region: endpoint.region, ...(endpoint.label ? { label: endpoint.label } : {}) }
  await updateSettings(settingsFile, settingsSchema, what, (settings) => ({
    ...settings,
    savedEndpoints: [...(settings.savedEndpoints ?? []).filter((e) => e.url !== saved.url), saved]
  }))
  return saved
}

/** The one spelling of a URL, so the same endpoint is not saved twice: no trailing slash. */
export function normalizedUrl(url: string): string {
  return new URL(url).toString().replace(/\/$/, '')
}
