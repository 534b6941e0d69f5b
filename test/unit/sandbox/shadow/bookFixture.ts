import { expect } from 'vitest'
import { ShadowBook, type ShadowBookOptions, type ShadowKey, type ShadowResult } from '../../../../electron/sandbox/shadow'
import type { JsonObject } from '../../../../electron/sandbox/shadow/json'

// A ShadowBook on a clock the test moves, and short ways to send requests and read answers.

export const START_MS = 1_700_000_000_250
export const START_S = 1_700_000_000

export const lamp: ShadowKey = { thingName: 'lamp-1' }
export const lampConfig: ShadowKey = { thingName: 'lamp-1', shadowName: 'config' }

export function fixture(options: ShadowBookOptions = {}) {
  let now = START_MS
  const book = new ShadowBook({ clock: () => now, ...options })
  return {
    book,
    advance(ms: number) {
      now += ms
    },
    seconds: () => Math.floor(now / 1000),
    /** Sends `body` (JSON-encoded unless it is already a string or bytes) to `…/update`. */
    update(key: ShadowKey, body: unknown): ShadowResult {
      return book.update(key, typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body))
    },
    /** The `get/accepted` document, failing the test when the shadow does not exist. */
    document(key: ShadowKey = lamp): JsonObject {
      return acceptedPayload(book.get(key))
    }
  }
}

export function acceptedPayload(result: ShadowResult): JsonObject {
  if (!result.accepted) throw new Error(`expected accepted, got ${JSON.stringify(result.reply.payload)}`)
  return result.reply.payload
}

export function rejection(result: ShadowResult) {
  if (result.accepted) throw new Error(`expected rejected, got ${JSON.stringify(result.reply.payload)}`)
  expect(result.reply.topic.endsWith('/rejected')).toBe(true)
  return { payload: result.reply.payload, error: result.error }
}
