import { invalidRequest } from './iotError'

// AWS's own input rules (research/iot-core.md §4.1). The sandbox keeps its copy of them rather than
// sharing the app's: it stands where AWS stands, so a mistake in the app's rules must show up as a
// refusal here, not be mirrored.

export interface StringRule {
  min?: number
  max?: number
  pattern?: RegExp
}

export const rules = {
  thingName: { min: 1, max: 128, pattern: /^[a-zA-Z0-9:_-]+$/ },
  thingTypeName: { min: 1, max: 128, pattern: /^[a-zA-Z0-9:_-]+$/ },
  thingGroupName: { min: 1, max: 128, pattern: /^[a-zA-Z0-9:_-]+$/ },
  attributeName: { min: 1, max: 128, pattern: /^[a-zA-Z0-9_.,@/:#-]+$/ },
  attributeValue: { min: 0, max: 800, pattern: /^[a-zA-Z0-9_.,@/:#=[\]-]*$/ },
  // \p{Graph} in Java terms: printable ASCII other than space, plus space itself.
  description: { min: 0, max: 2028, pattern: /^[\x20-\x7e]*$/ },
  policyName: { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/ },
  policyVersionId: { pattern: /^[0-9]+$/ },
  certificateId: { min: 64, max: 64, pattern: /^(0x)?[a-fA-F0-9]+$/ },
  certificatePem: { min: 1, max: 65536 },
  certificateSigningRequest: { min: 1, max: 4096 }
} satisfies Record<string, StringRule>

/** One Coral-style constraint failure, e.g. `Value 'a b' at 'thingName' failed to satisfy constraint: ...`. */
export function constraintViolations(value: string, member: string, rule: StringRule): string[] {
  const out: string[] = []
  const shown = `Value '${value}' at '${member}' failed to satisfy constraint: `
  if (rule.min !== undefined && value.length < rule.min)
    out.push(`${shown}Member must have length greater than or equal to ${rule.min}`)
  if (rule.max !== undefined && value.length > rule.max)
    out.push(`${shown}Member must have length less than or equal to ${rule.max}`)
  if (rule.pattern && !rule.pattern.test(value))
    out.push(`${shown}Member must satisfy regular expression pattern: ${rule.pattern.source.replace(/^\^|\$$/g, '')}`)
  return out
}

/** Throws InvalidRequestException with AWS's `N validation error(s) detected: ...` text. */
export function assertValid(checks: Array<[value: string | undefined, member: string, rule: StringRule]>): void {
  const errors = checks.flatMap(([value, member, rule]) =>
    value === undefined ? [] : constraintViolations(value, member, rule)
  )
  if (errors.length === 0) return
  const n = errors.length
  throw invalidRequest(`${n} validation error${n === 1 ? '' : 's'} detected: ${errors.join('; ')}`)
}
