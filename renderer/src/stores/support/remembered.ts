import { ref, watch, type Ref } from 'vue'

// A choice the user made that the app keeps across restarts (last shadow tab, export folder, a
// filter): stored in localStorage as JSON, read back through `isValid` so a value written by an older
// version, or edited by hand, falls back to the default instead of breaking a view.

const prefix = 'thingbench.'

/** The stored value under `key`, or `fallback` when there is none, storage is unavailable, or it fails `isValid`. */
export function readRemembered<T>(key: string, fallback: T, isValid: (value: unknown) => value is T): T {
  try {
    const raw = localStorage.getItem(prefix + key)
    if (raw === null) return fallback
    const value: unknown = JSON.parse(raw)
    return isValid(value) ? value : fallback
  } catch {
    return fallback // storage may be unavailable (private mode) or hold something that is not JSON
  }
}

/** Stores `value` under `key`; a failure only means the choice is not kept past this session. */
export function writeRemembered(key: string, value: unknown): void {
  try {
    localStorage.setItem(prefix + key, JSON.stringify(value))
  } catch {
    // Not persisted; the choice still holds for this session.
  }
}

/** A ref that starts from the remembered value and remembers every change (deep). */
export function rememberedRef<T>(key: string, fallback: T, isValid: (value: unknown) => value is T): Ref<T> {
  const value = ref(readRemembered(key, fallback, isValid)) as Ref<T>
  watch(value, (next) => writeRemembered(key, next), { deep: true })
  return value
}
