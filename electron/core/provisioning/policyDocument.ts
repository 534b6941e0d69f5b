import { maxPolicyDocumentChars } from '../../contract'
import { MalformedPolicyError, parsePolicyGrammar } from '../../shared/policyGrammar'

/**
 * Checks a policy document the way AWS would, before any call: valid JSON (with line and column of
 * the first error), at most 2048 characters not counting white space, an object with a Statement,
 * then the policy grammar with the Local IoT Core's rules (Effect, Action, Resource...), so the
 * message is AWS's. Returns the problem in words, or null when the document is acceptable.
 */
export function policyDocumentProblem(text: string): string | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    const { line, column } = lineAndColumn(text, jsonErrorOffset(text, err))
    return `The policy document is not valid JSON (MalformedPolicyException): ${(err as Error).message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`
  }
  const significant = text.replace(/\s/g, '').length
  if (significant > maxPolicyDocumentChars)
    return `The policy document has ${significant} characters not counting white space; AWS allows at most ${maxPolicyDocumentChars}. Shorten it or split it into two policies`
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return 'The policy document must be a JSON object with "Version" and "Statement" (MalformedPolicyException)'
  if (!('Statement' in parsed)) return 'The policy document has no "Statement" (MalformedPolicyException): add at least one statement'
  try {
    parsePolicyGrammar(text)
  } catch (err) {
    if (err instanceof MalformedPolicyError) return `AWS would refuse the policy document (MalformedPolicyException): ${err.message}`
    throw err
  }
  return null
}

/** True when two policy documents say the same thing (key order and white space aside). */
export function samePolicyDocument(a: string, b: string): boolean {
  try {
    return canonicalJson(JSON.parse(a)) === canonicalJson(JSON.parse(b))
  } catch {
    return a.trim() === b.trim()
  }
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`
  return JSON.stringify(value)
}

// V8 reports "... at position N" for most syntax errors and nothing for a truncated document.
function jsonErrorOffset(text: string, err: unknown): number {
  const match = /at position (\d+)/.exec(String((err as Error)?.message ?? ''))
  return match ? Number(match[1]) : text.length
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n')
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 }
}
