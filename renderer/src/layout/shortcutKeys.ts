import { shortcutLabel } from '../stores/useShortcutsStore'

/** A binding as the help lists it: "$mod" as Ctrl or ⌘, optional modifiers ("[Shift]+") left out, sequences spaced with "then". */
export function shownKeys(keys: string): string {
  return shortcutLabel(keys)
    .replace(/\[[^\]]+\]\+/g, '')
    .split(' ')
    .join(' then ')
}
