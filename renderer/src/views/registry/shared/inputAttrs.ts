import type { InputHTMLAttributes } from 'vue'

/**
 * Attributes for the <input> inside a naive-ui NInput (its `input-props`): the test id lands on the
 * element people type into, and the label names it for screen readers. Vue's attribute types do
 * not list data-* attributes, hence the cast.
 */
export function inputAttrs(testId: string | undefined, label: string): InputHTMLAttributes {
  return { ...(testId ? { 'data-testid': testId } : {}), 'aria-label': label } as InputHTMLAttributes
}
