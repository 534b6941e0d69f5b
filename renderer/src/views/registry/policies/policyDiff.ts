import { diff, type Delta } from 'jsondiffpatch'

// The difference between two policy versions as a list a person can read: one line per change,
// with its place in the document (e.g. Statement[1].Action[0]) and the values before and after.

export interface DocumentChange {
  kind: 'added' | 'removed' | 'changed' | 'moved'
  path: string
  before?: string
  after?: string
}

export function policyDocumentChanges(before: string, after: string): DocumentChange[] {
  const changes: DocumentChange[] = []
  collect(diff(JSON.parse(before), JSON.parse(after)), [], changes)
  return changes
}

const show = (value: unknown): string => JSON.stringify(value)

function collect(delta: Delta, path: Array<string | number>, out: DocumentChange[]): void {
  if (delta === undefined) return
  if (Array.isArray(delta)) {
    const where = pathText(path)
    if (delta.length === 1) out.push({ kind: 'added', path: where, after: show(delta[0]) })
    else if (delta.length === 2) out.push({ kind: 'changed', path: where, before: show(delta[0]), after: show(delta[1]) })
    else if (delta[2] === 0) out.push({ kind: 'removed', path: where, before: show(delta[0]) })
    else if (delta[2] === 3) out.push({ kind: 'moved', path: where, after: `position ${String(delta[1])}` })
    else out.push({ kind: 'changed', path: where })
    return
  }
  const inArray = (delta as Record<string, unknown>)._t === 'a'
  for (const [key, inner] of Object.entries(delta as Record<string, Delta>)) {
    if (key === '_t') continue
    // In an array delta "N" is an index in the new array, "_N" an index in the old one.
    const step = inArray ? Number(key.startsWith('_') ? key.slice(1) : key) : key
    collect(inner, [...path, step], out)
  }
}

function pathText(path: Array<string | number>): string {
  if (!path.length) return '(whole document)'
  return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`)).join('')
}
