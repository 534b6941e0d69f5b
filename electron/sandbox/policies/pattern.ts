// Policy patterns (research/iot-core.md §3.3): in an Action, a Resource or a StringLike value `*`
// matches any run of characters, `/` included, and `?` exactly one character; `+` and `#` are plain
// characters. `${*}`, `${?}` and `${$}` stand for the literal characters; any other `${name}` is a
// policy variable, replaced by its value taken literally, so a client id of `*` is not a wildcard.

export const ANY = Symbol('*')
export const ONE = Symbol('?')
/** One character of the pattern (a string of one code point), or a wildcard. */
export type PatternItem = string | typeof ANY | typeof ONE
export type Pattern = readonly PatternItem[]

/** The pattern with its variables replaced, or the names of the variables that had no value. */
export type CompiledPattern = { pattern: Pattern } | { unresolved: string[] }

const ESCAPES: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' }

/**
 * Compiles `text`, replacing each `${name}` with `resolve(name)`; a variable without a value makes the
 * whole pattern unresolved (AWS leaves it in place, so it matches nothing).
 */
export function compilePattern(text: string, resolve: (name: string) => string | undefined): CompiledPattern {
  const items: PatternItem[] = []
  const unresolved: string[] = []
  let i = 0
  while (i < text.length) {
    if (text.startsWith('${', i)) {
      const end = text.indexOf('}', i + 2)
      if (end >= 0) {
        const name = text.slice(i + 2, end)
        const value = ESCAPES[name] ?? resolve(name)
        if (value === undefined) unresolved.push(name)
        else items.push(...Array.from(value))
        i = end + 1
        continue
      }
    }
    const char = String.fromCodePoint(text.codePointAt(i)!)
    items.push(char === '*' ? ANY : char === '?' ? ONE : char)
    i += char.length
  }
  return unresolved.length > 0 ? { unresolved } : { pattern: items }
}

/** Whether `subject` matches the whole pattern (greedy with backtracking to the last `*`). */
export function patternMatches(pattern: Pattern, subject: string): boolean {
  const chars = Array.from(subject)
  let p = 0
  let s = 0
  let starAt = -1
  let starSubject = 0
  while (s < chars.length) {
    const item = pattern[p]
    if (p < pattern.length && (item === ONE || item === chars[s])) {
      p++
      s++
    } else if (item === ANY) {
      starAt = p++
      starSubject = s
    } else if (starAt >= 0) {
      p = starAt + 1
      s = ++starSubject
    } else {
      return false
    }
  }
  while (pattern[p] === ANY) p++
  return p === pattern.length
}

/** The pattern as plain text, wildcards written as `*` and `?` (for operators that compare literally). */
export function patternText(pattern: Pattern): string {
  return pattern.map((item) => (item === ANY ? '*' : item === ONE ? '?' : item)).join('')
}

/** A pattern without variables, e.g. an action (lower-cased when the comparison ignores case). */
export function literalPattern(text: string, ignoreCase = false): Pattern {
  return Array.from(ignoreCase ? text.toLowerCase() : text).map((char) => (char === '*' ? ANY : char === '?' ? ONE : char))
}
