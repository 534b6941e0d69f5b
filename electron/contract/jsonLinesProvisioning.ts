import { z } from 'zod'
import { thingNameSchema } from './awsRules'
import { serialPathSchema, wifiSettingsSchema } from './serial'

// The wizard's optional last step for JSON-lines boards (docs/serial-json-lines.md §3): the thing's
// endpoint, certificate and private key written to the board over the cable, then its connection
// watched. The key goes from the vault to the port inside the back end: nothing here carries it.

/** provisioning.writeToDevice's argument: the port the board is on and the identity to give it. */
export const writeToDeviceArgsSchema = z
  .object({
    portPath: serialPathSchema,
    thingName: thingNameSchema,
    certificateId: z.string().regex(/^[0-9a-f]{64}$/, 'Certificate id must be the 64 hex digits AWS IoT gives a certificate'),
    /** The network the board joins, for firmware that lists the "wifi" capability; absent: the board's own. */
    wifi: wifiSettingsSchema.optional()
  })
  .strict()
export type WriteToDeviceArgs = z.infer<typeof writeToDeviceArgsSchema>

/** What the board is being told or asked, in the order it happens. */
export const deviceWriteSteps = ['hello', 'endpoint', 'thingName', 'certificate', 'privateKey', 'rootCa', 'wifiSsid', 'wifiPassphrase', 'commit', 'connect'] as const
export type DeviceWriteStep = (typeof deviceWriteSteps)[number]

/** Streamed as provisioning.deviceWrite while provisioning.writeToDevice runs. `detail` never holds a key. */
export interface DeviceWriteProgress {
  portPath: string
  thingName: string
  step: DeviceWriteStep
  /** skipped: an item not sent (no Wi-Fi given, the board's own root CA). */
  status: 'started' | 'done' | 'skipped' | 'failed'
  detail?: string
}

export interface DeviceWriteResult {
  portPath: string
  thingName: string
  certificateId: string
  /** Where the board now connects (host:port). */
  endpoint: string
  /** The board's own words: its hello and its last connection message. */
  device: { model: string; firmware: string; serial: string }
  /** The Wi-Fi network given to the board (the passphrase is not given back). */
  wifiSsid?: string
  connection: { state: 'connected'; detail?: string }
}
