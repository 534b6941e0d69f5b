import { vi } from 'vitest'

/** Polls `find` (every 20 ms) until it gives a truthy value, and returns it; times out naming `what` it waited for. */
export async function until<T>(find: () => T | null | undefined | false | Promise<T | null | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  try {
    return (await vi.waitUntil(find, { timeout: timeoutMs, interval: 20 })) as T
  } catch {
    throw new Error(`Timed out waiting for ${what}`)
  }
}
