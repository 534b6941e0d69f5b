import { z } from 'zod'

// The JSON-lines protocol, version 1, as zod schemas (docs/serial-json-lines.md is the prose).
// Every schema is loose: a device or host must ignore fields it does not know, so newer firmware
// keeps working with an older ThingBench and the other way round.

export const protocolVersion = 1
/** Longest line either side must accept, in bytes, LF excluded; a longer line is dropped whole. */
export const maxLineBytes = 8192
export const recommendedBaudRate = 115_200

/** Error codes either side may send in an `error` message. */
export const errorCodes = [
  'bad_json',
  'bad_message',
  'unknown_type',
  'line_too_long',
  'unsupported_protocol',
  'bad_value',
  'busy',
  'not_provisioned',
  'storage_failed',
  'internal'
] as const
export type ErrorCode = (typeof errorCodes)[number]

// `id` asks the other side for an answer; `re` is the id a message answers.
const id = z.string().min(1).max(64)
const state = z.record(z.string(), z.unknown())

// --- Device → host ---------------------------------------------------------------------------

export const helloFromDevice = z.looseObject({
  type: z.literal('hello'),
  id: id.optional(),
  re: id.optional(),
  protocol: z.number().int().positive(),
  device: z.string().min(1).max(128),
  firmware: z.string().min(1).max(64),
  serial: z.string().min(1).max(128),
  capabilities: z.array(z.string()).optional()
})

export const reportedFromDevice = z.looseObject({
  type: z.literal('reported'),
  id: id.optional(),
  re: id.optional(),
  state
})

export const ackMessage = z.looseObject({ type: z.literal('ack'), re: id })

export const errorMessage = z.looseObject({
  type: z.literal('error'),
  id: id.optional(),
  re: id.optional(),
  // An unknown code is still an error: kept as text so a newer device's code is shown, not refused.
  code: z.string().min(1).max(64),
  message: z.string().max(1024).optional()
})

export const connectionFromDevice = z.looseObject({
  type: z.literal('connection'),
  id: id.optional(),
  state: z.enum(['connecting', 'connected', 'failed', 'disconnected']),
  detail: z.string().max(1024).optional()
})

export const logFromDevice = z.looseObject({
  type: z.literal('log'),
  id: id.optional(),
  level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
  message: z.string().max(maxLineBytes)
})

export const deviceMessages = {
  hello: helloFromDevice,
  reported: reportedFromDevice,
  ack: ackMessage,
  error: errorMessage,
  connection: connectionFromDevice,
  log: logFromDevice
} as const
export type DeviceMessageType = keyof typeof deviceMessages

export type DeviceHello = z.infer<typeof helloFromDevice>
export type DeviceReported = z.infer<typeof reportedFromDevice>
export type ErrorMessage = z.infer<typeof errorMessage>
export type DeviceConnection = z.infer<typeof connectionFromDevice>
export type DeviceLog = z.infer<typeof logFromDevice>

// --- Host → device (what the driver writes) --------------------------------------------------

export const provisionItems = ['endpoint', 'thingName', 'certificate', 'privateKey', 'rootCa', 'wifiSsid', 'wifiPassphrase'] as const
/** The hello capability of firmware that takes a Wi-Fi network with its identity (the wifi* items). */
export const wifiCapability = 'wifi'
export type ProvisionItem = (typeof provisionItems)[number]

export type HostMessage =
  | { type: 'hello'; id: string; protocol: number }
  | { type: 'get'; id: string }
  | { type: 'desired'; id: string; state: Record<string, unknown>; version?: number }
  | { type: 'delta'; id: string; state: Record<string, unknown>; version?: number }
  | { type: 'provision'; id: string; item: ProvisionItem; value: string }
  | { type: 'provision_commit'; id: string }
  | { type: 'ack'; re: string }
  | { type: 'error'; re?: string; code: ErrorCode; message: string }

/** A host message before the driver gives it an id. */
export type HostRequest = DistributiveOmit<Extract<HostMessage, { id: string }>, 'id'>
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
