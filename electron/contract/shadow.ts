import { z } from 'zod'
import { shadowNameSchema, thingNameSchema } from './awsRules'
import type { MqttConnectionState } from './mqtt'

// Device Shadows and the simulated device ("act as the device") as the contract carries them: the
// documents exactly as AWS sends them (research/iot-core.md §1.2), and the argument schemas.

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject
export interface JsonObject {
  [key: string]: JsonValue
}

/** AWS's limit on a shadow's state (desired + reported, compact JSON, metadata excluded). */
export const maxShadowStateBytes = 8192
const byteLength = (text: string): number => new TextEncoder().encode(text).length

/**
 * A section of an update (desired or reported): a JSON object, or null to delete the whole section.
 * One section alone over 8 KB can never fit in a shadow, so it is refused here; what the merged
 * document adds up to, and the nesting depth, are AWS's to judge (413 / 400 with its messages).
 */
const statePatchSchema = z
  .record(z.string(), z.json())
  .nullable()
  .superRefine((value, context) => {
    if (value === null) return
    const bytes = byteLength(JSON.stringify(value))
    if (bytes > maxShadowStateBytes)
      context.addIssue({
        code: 'custom',
        message: `is ${bytes} bytes as JSON, but a shadow's whole state may be at most ${maxShadowStateBytes} bytes (AWS refuses it with RequestEntityTooLargeException): send less`
      })
  })
/** A patch merged into a section, as a device reports it (null deletes a key). */
export const reportedPatchSchema = z.record(z.string(), z.json()).superRefine((value, context) => {
  const bytes = byteLength(JSON.stringify(value))
  if (bytes > maxShadowStateBytes) context.addIssue({ code: 'custom', message: `is ${bytes} bytes as JSON, but a shadow's whole state may be at most ${maxShadowStateBytes} bytes: report less` })
})

export const shadowKeyFields = { thingName: thingNameSchema, shadowName: shadowNameSchema.optional() }
export const shadowViaSchema = z.enum(['http', 'mqtt'])
/** AWS's clientToken: at most 64 bytes, echoed on update/delta and update/documents. */
export const clientTokenSchema = z
  .string()
  .min(1)
  .refine((token) => byteLength(token) <= 64, 'A clientToken is at most 64 bytes')

export const shadowUpdateArgsSchema = z
  .object({
    ...shadowKeyFields,
    desired: statePatchSchema.optional(),
    reported: statePatchSchema.optional(),
    /** Optimistic locking: refused (a conflict result) unless the shadow is at exactly this version. */
    version: z.number().int().min(0).optional(),
    clientToken: clientTokenSchema.optional(),
    via: shadowViaSchema.default('http')
  })
  .strict()
  .refine((args) => args.desired !== undefined || args.reported !== undefined, { message: 'give desired, reported or both (null clears a section)', path: ['desired'] })

export const deltaAnsweringSchema = z.discriminatedUnion('mode', [
  /** Answer each delta by itself after delayMs (newer deltas arriving meanwhile replace it). */
  z.object({ mode: z.literal('auto'), delayMs: z.number().int().min(0).max(600_000).default(0) }).strict(),
  /** Wait for device.acknowledge. */
  z.object({ mode: z.literal('manual') }).strict()
])

// ---- what comes back ------------------------------------------------------------------------------

export interface ShadowKeyView {
  thingName: string
  /** Absent for the classic shadow. */
  shadowName?: string
}

/** A shadow document as AWS sends it: `state.delta` only in get answers; metadata holds each leaf's epoch-seconds timestamp. */
export interface ShadowDocumentView {
  state: { desired?: JsonObject; reported?: JsonObject; delta?: JsonObject }
  metadata: { desired?: JsonObject; reported?: JsonObject }
  version: number
  timestamp?: number
  clientToken?: string
}

export interface ShadowUpdateAcceptedView {
  state: { desired?: JsonObject | null; reported?: JsonObject | null } | null
  metadata?: JsonObject
  version: number
  timestamp?: number
  clientToken?: string
}

/** An update/delta message: the delta itself (desired values that differ from reported) at the version that made it. */
export interface ShadowDeltaView {
  state: JsonObject
  metadata?: JsonObject
  version: number
  timestamp?: number
  clientToken?: string
}

/**
 * shadow.update's answer. A version conflict is an outcome, not an error: the bridge's errors carry
 * a name and a message only, and a merge view needs both sides as they were at the refusal.
 */
export type ShadowUpdateOutcome =
  | { outcome: 'accepted'; accepted: ShadowUpdateAcceptedView }
  | {
      outcome: 'conflict'
      errorName: 'ConflictException'
      message: string
      /** The update as it was sent (state and the version it named). */
      attempted: { state: { desired?: JsonObject | null; reported?: JsonObject | null } | null; version?: number }
      /** The shadow now, read right after the refusal; null when it no longer exists. */
      current: ShadowDocumentView | null
    }

export interface WatchRef extends ShadowKeyView {
  watchId: string
}

/** Why a watch, a simulated device or a subscription ended. */
export type EndedBecause = 'asked' | 'connectionChanged' | 'connectionClosed' | 'closing'

export type ShadowWatchChange =
  | { kind: 'connection'; state: MqttConnectionState }
  /** Versions between the two were missed (AWS does not guarantee order); a get follows. */
  | { kind: 'gap'; lastVersion: number; receivedVersion: number }
  | { kind: 'deleted'; version: number }
  | { kind: 'error'; errorName: string }
  | { kind: 'stopped'; because: EndedBecause }

export interface DeviceView extends ShadowKeyView {
  deviceId: string
  clientId: string
  answering: { mode: 'auto'; delayMs: number } | { mode: 'manual' }
  /** What the device reports, as far as it knows. */
  reported: JsonObject
  /** The delta waiting for an answer (manual answering, or auto within its delay). */
  pendingDelta?: ShadowDeltaView
  connection: MqttConnectionState
}

export type DeviceChange =
  | { type: 'delta'; delta: ShadowDeltaView }
  | { type: 'reported'; patch: JsonObject; accepted: ShadowUpdateAcceptedView }
  | { type: 'error'; errorName: string }
  | { type: 'connection'; state: MqttConnectionState }
  | { type: 'stopped'; because: EndedBecause }
