// The Device Shadow service's limits (research/iot-core.md §1.8, §1.1). Configurable because some
// are UNCONFIRMED for today's cloud (depth 6 vs 8, an 8 KB size some accounts may raise).

export interface ShadowLimits {
  /** Bytes of desired + reported after the merge, as compact JSON (metadata, version, timestamp excluded). */
  maxDocumentBytes: number
  /** Nesting levels of `desired` / `reported`, the section itself being level 1. */
  maxDepth: number
  /** UTF-8 bytes of a clientToken. */
  maxClientTokenBytes: number
  /** How long a deleted shadow's version is remembered, so a re-created shadow continues it (48 h). */
  versionMemoryMs: number
}

export const AWS_SHADOW_LIMITS: Readonly<ShadowLimits> = Object.freeze({
  maxDocumentBytes: 8192,
  maxDepth: 6,
  maxClientTokenBytes: 64,
  versionMemoryMs: 48 * 60 * 60 * 1000
})
