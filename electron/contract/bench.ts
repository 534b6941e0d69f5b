import { z } from 'zod'
import { shadowNameSchema, thingNameSchema } from './awsRules'
import { portSettingsSchema, serialPathSchema } from './serial'
import type { JsonObject } from './shadow'

// bench.*: a serial board attached to a thing's shadow. Each delta goes down the cable, what the
// board reports becomes reported state, and the time from a desired change to the reported match
// is measured.

export const benchDrivers = ['jsonLines', 'expresslink'] as const
export type BenchDriver = (typeof benchDrivers)[number]

export const benchAttachArgsSchema = z
  .object({
    portPath: serialPathSchema,
    thingName: thingNameSchema,
    shadowName: shadowNameSchema.optional(),
    driver: z.enum(benchDrivers, { error: 'Driver must be jsonLines (custom firmware) or expresslink (an AWS IoT ExpressLink module)' }),
    /** How the port is opened; 115200 baud, 8N1, no flow control when left out. */
    settings: portSettingsSchema.optional()
  })
  .strict()

export const benchIdSchema = z.uuid({ error: 'benchId must be the id bench.attach answered' })

/** What a bridge tells, as it crosses to the UI (the same shapes as core/bench/bridge.ts). */
export type BridgeEventView =
  | { type: 'state'; state: BenchState; reason: string }
  | { type: 'delta'; state: JsonObject; version: number }
  | { type: 'reported'; state: JsonObject; version: number }
  /** A desired change matched by what the device reports, `ms` after the bench heard of it. */
  | { type: 'latency'; ms: number; version: number }
  | { type: 'error'; message: string }
  /** The bench is gone: detached as asked, the app's connection changed, or the app is closing. */
  | { type: 'detached'; reason: string }

export type BenchState = 'attached' | 'device-gone' | 'resumed'

export interface BenchLatency {
  lastMs: number
  /** The median of the last samples (see `samples`). */
  p50Ms: number
  samples: number
}

export interface BenchView {
  benchId: string
  portPath: string
  thingName: string
  shadowName?: string
  driver: BenchDriver
  state: BenchState
  /** Why the state last changed, in plain words. */
  reason: string
  latency?: BenchLatency
  /** The last relay failure, in plain words, until the next one. */
  lastError?: string
}

export interface BenchEvent {
  benchId: string
  event: BridgeEventView
  /** The bench as it is after the event (its last one when detached). */
  bench: BenchView
}
