import { onScopeDispose, ref, type Ref } from 'vue'

// "updated 3 s ago": the inspector's timestamps, refreshed while they are on screen.

/** The time now (epoch ms), ticking every `intervalMs` while the calling component lives. */
export function useNow(intervalMs = 1000): Ref<number> {
  const now = ref(Date.now())
  const timer = setInterval(() => (now.value = Date.now()), intervalMs)
  onScopeDispose(() => clearInterval(timer))
  return now
}

/** "just now", "12 s ago", "3 min ago", "2 h ago", "4 d ago" for an epoch-ms time before `now`. */
export function ago(thenMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000))
  if (seconds < 1) return 'just now'
  if (seconds < 60) return `${seconds} s ago`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h ago`
  return `${Math.floor(hours / 24)} d ago`
}
