import type { InputHTMLAttributes } from 'vue'

/**
 * Attributes for the <input> inside a naive-ui NInput (its `input-props`), with a data-testid:
 * tests type into the input itself, not the wrapper.
 */
export function inputAttributes(testId: string, label: string, extra: InputHTMLAttributes = {}): InputHTMLAttributes {
  return { spellcheck: false, autocomplete: 'off', 'aria-label': label, ...extra, 'data-testid': testId } as InputHTMLAttributes
}
