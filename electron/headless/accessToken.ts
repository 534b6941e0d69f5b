import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

// The browser mode's only credential: whoever has the printed URL has the app. 32 random bytes are
// unguessable; base64url keeps the URL free of characters that need escaping.

export function createAccessToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Compares in constant time, whatever the lengths (hashing first gives equal-length inputs). */
export function tokensMatch(offered: string | null | undefined, expected: string): boolean {
  const a = createHash('sha256').update(offered ?? '').digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b) && typeof offered === 'string' && offered.length > 0
}
