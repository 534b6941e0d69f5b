// ExpressLink's escaping of parameters and payloads (research/expresslink.md §3): LF is `\A`, CR is
// `\D`, a backslash is `\\`. Decoding is one left-to-right pass, so a literal `\` followed by `A`
// is not mistaken for a newline (the AWS libraries' sequential replace() gets that wrong).

export function escapeAt(text: string): string {
  return text.replace(/[\\\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\A' : '\\D'))
}

/** The raw text, or undefined when it holds a `\` sequence other than `\A`, `\D`, `\\` (ERR5 on a module). */
export function unescapeAt(text: string): string | undefined {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c !== '\\') {
      out += c
      continue
    }
    const next = text[++i]
    if (next === 'A') out += '\n'
    else if (next === 'D') out += '\r'
    else if (next === '\\') out += '\\'
    else return undefined
  }
  return out
}
