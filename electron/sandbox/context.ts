import type { ShadowBook } from './shadow'
import type { Store } from './state/store'

/** What every control-plane domain (registry, certificates, policies, attachments) is built with. */
export interface SandboxContext {
  store: Store
  region: string
  /** The sandbox account's 12-digit id, stable for a data directory. */
  accountId: string
  /** `arn:aws:iot:{region}:{accountId}:{resource}`, e.g. arn('thing/lamp-1'). */
  arn(resource: string): string
  /** Epoch milliseconds; injectable so tests of time rules (e.g. thing-type deletion delay) can move the clock. */
  now(): number
  /** A fresh UUID for thingId, thingGroupId and the like. */
  newId(): string
  /** Every Device Shadow, shared by the MQTT broker and the HTTP data plane (stored with the rest). */
  shadows: ShadowBook
}
