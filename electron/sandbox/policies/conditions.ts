import { BlockList, isIP } from 'node:net'
import { compilePattern, patternMatches, patternText, type Pattern } from './pattern'
import { contextValues, substitutionValue, type AuthorizationContext } from './variables'

// A statement's Condition block, with IAM's semantics (research/iot-core.md §3.1 names StringEquals,
// StringLike, Bool, ForAllValues:/ForAnyValue: and IpAddress on aws:SourceIp; DG
// use-policy-variables.md uses Null). Every operator must hold, every key in an operator must hold,
// one matching value of a key is enough. A key the request lacks fails the condition, except for the
// negated operators, `...IfExists`, `Null` and `ForAllValues:` (IAM's rules). An operator the engine does
// not know never holds, so an Allow that needs it grants nothing.

type Comparison = (actual: string, expected: Pattern) => boolean

const STRING_OPERATORS: Readonly<Record<string, { compare: Comparison; negated: boolean }>> = {
  stringequals: { compare: (a, e) => a === patternText(e), negated: false },
  stringnotequals: { compare: (a, e) => a === patternText(e), negated: true },
  stringequalsignorecase: { compare: (a, e) => a.toLowerCase() === patternText(e).toLowerCase(), negated: false },
  stringnotequalsignorecase: { compare: (a, e) => a.toLowerCase() === patternText(e).toLowerCase(), negated: true },
  stringlike: { compare: (a, e) => patternMatches(e, a), negated: false },
  stringnotlike: { compare: (a, e) => patternMatches(e, a), negated: true },
  arnequals: { compare: (a, e) => patternMatches(e, a), negated: false },
  arnlike: { compare: (a, e) => patternMatches(e, a), negated: false },
  arnnotequals: { compare: (a, e) => patternMatches(e, a), negated: true },
  arnnotlike: { compare: (a, e) => patternMatches(e, a), negated: true },
  bool: { compare: (a, e) => a.toLowerCase() === patternText(e).toLowerCase(), negated: false },
  numericequals: { compare: numeric((a, e) => a === e), negated: false },
  numericnotequals: { compare: numeric((a, e) => a === e), negated: true },
  numericlessthan: { compare: numeric((a, e) => a < e), negated: false },
  numericlessthanequals: { compare: numeric((a, e) => a <= e), negated: false },
  numericgreaterthan: { compare: numeric((a, e) => a > e), negated: false },
  numericgreaterthanequals: { compare: numeric((a, e) => a >= e), negated: false },
  ipaddress: { compare: ipInRange, negated: false },
  notipaddress: { compare: ipInRange, negated: true }
}

function numeric(compare: (actual: number, expected: number) => boolean): Comparison {
  return (actual, expected) => {
    const a = Number(actual)
    const e = Number(patternText(expected))
    return actual.trim() !== '' && !Number.isNaN(a) && !Number.isNaN(e) && compare(a, e)
  }
}

function ipInRange(actual: string, expected: Pattern): boolean {
  const [address, prefix] = patternText(expected).split('/')
  const family = isIP(address ?? '')
  const actualFamily = isIP(actual)
  if (family === 0 || actualFamily === 0) return false
  const type = family === 4 ? 'ipv4' : 'ipv6'
  const list = new BlockList()
  const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix)
  if (!Number.isInteger(bits)) return false
  list.addSubnet(address!, bits, type)
  return list.check(actual, actualFamily === 4 ? 'ipv4' : 'ipv6')
}

/** Condition values as strings: IAM allows a string, a number, a boolean or a list of them. */
function policyValues(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw]
  return list.filter((v) => ['string', 'number', 'boolean'].includes(typeof v)).map(String)
}

/** Whether the Condition block holds; adds to `missing` every variable or key that had no value. */
export function conditionsHold(
  condition: Readonly<Record<string, Record<string, unknown>>> | undefined,
  context: AuthorizationContext,
  missing: Set<string>
): boolean {
  if (!condition) return true
  for (const [rawOperator, block] of Object.entries(condition)) {
    for (const [key, raw] of Object.entries(block)) {
      if (!keyHolds(rawOperator, key, policyValues(raw), context, missing)) return false
    }
  }
  return true
}

function keyHolds(rawOperator: string, key: string, rawValues: string[], context: AuthorizationContext, missing: Set<string>): boolean {
  let operator = rawOperator.toLowerCase()
  let set: 'all' | 'any' | undefined
  if (operator.startsWith('forallvalues:')) [set, operator] = ['all', operator.slice('forallvalues:'.length)]
  else if (operator.startsWith('foranyvalue:')) [set, operator] = ['any', operator.slice('foranyvalue:'.length)]
  const ifExists = operator.endsWith('ifexists') && operator !== 'ifexists'
  if (ifExists) operator = operator.slice(0, -'ifexists'.length)

  const actual = contextValues(context, key)
  if (actual === undefined) missing.add(key)
  if (operator === 'null') {
    const wantsAbsent = rawValues.some((v) => v.toLowerCase() === 'true')
    return wantsAbsent === (actual === undefined)
  }
  const rule = STRING_OPERATORS[operator]
  if (!rule) return false
  if (actual === undefined) return set === 'all' || ifExists || (set === undefined && rule.negated)

  const expected: Pattern[] = []
  for (const value of rawValues) {
    const compiled = compilePattern(value, (name) => substitutionValue(context, name))
    if ('pattern' in compiled) expected.push(compiled.pattern)
    else compiled.unresolved.forEach((name) => missing.add(name))
  }
  // A negated operator holds for a value that matches none of the expected ones.
  const valueHolds = (value: string): boolean => {
    const matchesOne = expected.some((pattern) => rule.compare(value, pattern))
    return rule.negated ? !matchesOne : matchesOne
  }
  return set === 'all' ? actual.every(valueHolds) : actual.some(valueHolds)
}
