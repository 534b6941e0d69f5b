import type { JsonObject, ShadowKey } from '../shadow'

// What every bench bridge is, whatever the board speaks (JSON lines, ExpressLink AT): attached to a
// port and a shadow, it tells what happens as BridgeEvents, and detaches. The API (app/api/bench.ts)
// holds bridges by this shape alone.

export type BridgeEvent =
  | { type: 'state'; state: 'attached' | 'device-gone' | 'resumed'; reason: string }
  | { type: 'delta'; state: JsonObject; version: number }
  | { type: 'reported'; state: JsonObject; version: number }
  /** A desired change matched by what the device reports, `ms` after the bench heard of it. */
  | { type: 'latency'; ms: number; version: number }
  | { type: 'error'; message: string }

export interface ShadowBridge {
  /** The shadow it relays; undefined until it knows (an ExpressLink module names its own thing). */
  readonly key: ShadowKey | undefined
  /** Stops relaying and lets go of what it opened itself; the port stays its owner's to release. Harmless twice. */
  detach(): Promise<void>
}
