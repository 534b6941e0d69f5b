import { defineStore } from 'pinia'
import { computed, onBeforeUnmount, onMounted, shallowRef } from 'vue'
import { tinykeys } from 'tinykeys'

// Keyboard shortcuts for the common moves. A view registers its own while it is mounted
// (useShortcuts); the store keeps what is registered now, so the help overlay ("?") always lists
// exactly the shortcuts that work where the user is. Keys use tinykeys' syntax: "$mod+Enter" is
// Ctrl+Enter on Windows/Linux and Cmd+Enter on macOS; "g t" is a sequence.

export interface Shortcut {
  /** tinykeys key binding, e.g. "$mod+Enter", "Shift+?", "g s". */
  keys: string
  /** What it does, in words, for the help overlay. */
  description: string
  /** Where it works, e.g. "Anywhere", "Shadow inspector". */
  scope: string
  /** Whether it also fires while typing in a field (e.g. $mod+Enter to send); plain keys never do. */
  whileTyping?: boolean
  run: (event: KeyboardEvent) => void
}

function isTyping(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null
  if (!target) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || !!target.closest?.('.cm-editor')
}

/** Shown as the user presses it: "$mod" becomes Ctrl or ⌘. */
export function shortcutLabel(keys: string): string {
  const mac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform)
  return keys.replaceAll('$mod', mac ? '⌘' : 'Ctrl')
}

export const useShortcutsStore = defineStore('shortcuts', () => {
  const registered = shallowRef<readonly Shortcut[]>([])
  const byScope = computed(() => {
    const groups = new Map<string, Shortcut[]>()
    for (const shortcut of registered.value) groups.set(shortcut.scope, [...(groups.get(shortcut.scope) ?? []), shortcut])
    return groups
  })

  /** Binds `shortcuts` on the window until the returned function is called. */
  function register(shortcuts: readonly Shortcut[]): () => void {
    // One tinykeys listener per shortcut: within one listener a sequence that fires ("g t") resets
    // the others' progress, so a quick "g s" after it would be missed.
    const unbinders = shortcuts.map((shortcut) =>
      tinykeys(
        window,
        {
          [shortcut.keys]: (event: KeyboardEvent) => {
            if (!shortcut.whileTyping && isTyping(event)) return
            event.preventDefault()
            shortcut.run(event)
          }
        },
        // tinykeys ignores every key pressed in a field by default; whileTyping (above) decides that.
        { ignore: (event) => event.repeat || event.isComposing }
      )
    )
    const unbind = (): void => unbinders.forEach((unbindOne) => unbindOne())
    registered.value = [...registered.value, ...shortcuts]
    return () => {
      unbind()
      registered.value = registered.value.filter((s) => !shortcuts.includes(s))
    }
  }

  return { registered, byScope, register }
})

/** Registers `shortcuts` while the calling component is mounted. */
export function useShortcuts(shortcuts: readonly Shortcut[]): void {
  const store = useShortcutsStore()
  let unregister: (() => void) | undefined
  onMounted(() => (unregister = store.register(shortcuts)))
  onBeforeUnmount(() => unregister?.())
}
