/** A policy document AWS would refuse with MalformedPolicyException; the message says what to fix. */
export class MalformedPolicyError extends Error {
  readonly errorName = 'MalformedPolicyException'
  constructor(message: string) {
    super(message)
    this.name = 'MalformedPolicyError'
  }
}

// The IoT policy grammar (research/iot-core.md §3.1): IAM-style JSON with a Statement array (or a
// single statement object); each statement has Effect Allow|Deny, Action (or NotAction), Resource or
// NotResource, optional Condition and Sid. At most 2048 characters not counting white space.
// Anything else is a MalformedPolicyException that says what to fix. Shared by the Local IoT Core
// (which answers with it) and core (which checks a plan's document before any call).

export const MAX_POLICY_CHARS_WITHOUT_WHITESPACE = 2048
const VERSIONS = ['2012-10-17', '2008-10-17']
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'])
const ACTION_PATTERN = /^(\*|[a-zA-Z0-9-]+:[A-Za-z0-9*?]+)$/

export interface PolicyStatement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Action?: string[]
  NotAction?: string[]
  Resource?: string[]
  NotResource?: string[]
  Condition?: Record<string, Record<string, unknown>>
}

export interface ParsedPolicy {
  Version?: string
  Statement: PolicyStatement[]
}

function stringList(value: unknown, where: string, field: string): string[] {
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === 'string' && item.length > 0))
    throw new MalformedPolicyError(`${where}: ${field} must be a non-empty string or a non-empty array of strings.`)
  return list as string[]
}

/** Parses and checks a policy document; throws MalformedPolicyError naming the first problem, in AWS's words. */
export function parsePolicyGrammar(document: string): ParsedPolicy {
  const compactLength = document.replace(/\s/g, '').length
  if (compactLength === 0) throw new MalformedPolicyError('The policy document is empty.')
  if (compactLength > MAX_POLICY_CHARS_WITHOUT_WHITESPACE)
    throw new MalformedPolicyError(
      `The policy document has ${compactLength} characters not counting white space; the limit is ${MAX_POLICY_CHARS_WITHOUT_WHITESPACE}. Use wildcards or policy variables to shorten it, or split it into several policies.`
    )
  let parsed: unknown
  try {
    parsed = JSON.parse(document)
  } catch (error) {
    throw new MalformedPolicyError(`The policy document is not valid JSON: ${(error as Error).message}.`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new MalformedPolicyError('The policy document must be a JSON object with a "Statement" member.')
  const root = parsed as Record<string, unknown>
  for (const key of Object.keys(root))
    if (key !== 'Version' && key !== 'Statement' && key !== 'Id')
      throw new MalformedPolicyError(`The policy document has an unknown top-level member "${key}"; only Version, Id and Statement are allowed.`)
  if (root['Version'] !== undefined && !VERSIONS.includes(root['Version'] as string))
    throw new MalformedPolicyError(`The policy Version must be "2012-10-17" (or the older "2008-10-17"), not ${JSON.stringify(root['Version'])}.`)
  const rawStatements = root['Statement']
  if (rawStatements === undefined) throw new MalformedPolicyError('The policy document has no "Statement" member.')
  const statements = Array.isArray(rawStatements) ? rawStatements : [rawStatements]
  if (statements.length === 0) throw new MalformedPolicyError('The policy document\'s "Statement" array is empty.')

  return {
    Version: root['Version'] as string | undefined,
    Statement: statements.map((raw, index) => {
      const where = `Statement ${index + 1}`
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new MalformedPolicyError(`${where} must be a JSON object.`)
      const statement = raw as Record<string, unknown>
      for (const key of Object.keys(statement))
        if (!STATEMENT_KEYS.has(key))
          throw new MalformedPolicyError(`${where} has an unknown member "${key}"; allowed are ${[...STATEMENT_KEYS].join(', ')}.`)
      const effect = statement['Effect']
      if (effect !== 'Allow' && effect !== 'Deny')
        throw new MalformedPolicyError(`${where}: Effect must be "Allow" or "Deny", not ${JSON.stringify(effect)}.`)
      const hasAction = statement['Action'] !== undefined
      const hasNotAction = statement['NotAction'] !== undefined
      if (hasAction === hasNotAction) throw new MalformedPolicyError(`${where} must have exactly one of Action and NotAction.`)
      const actions = stringList(statement[hasAction ? 'Action' : 'NotAction'], where, hasAction ? 'Action' : 'NotAction')
      const badAction = actions.find((action) => !ACTION_PATTERN.test(action))
      if (badAction !== undefined)
        throw new MalformedPolicyError(`${where}: the action "${badAction}" is not of the form service:Action (e.g. "iot:Connect" or "iot:*").`)
      const hasResource = statement['Resource'] !== undefined
      const hasNotResource = statement['NotResource'] !== undefined
      if (hasResource === hasNotResource) throw new MalformedPolicyError(`${where} must have exactly one of Resource and NotResource.`)
      const resources = stringList(statement[hasResource ? 'Resource' : 'NotResource'], where, hasResource ? 'Resource' : 'NotResource')
      const condition = statement['Condition']
      if (condition !== undefined) {
        const validCondition =
          typeof condition === 'object' &&
          condition !== null &&
          !Array.isArray(condition) &&
          Object.values(condition).every((block) => typeof block === 'object' && block !== null && !Array.isArray(block))
        if (!validCondition)
          throw new MalformedPolicyError(`${where}: Condition must be an object of operators, e.g. {"StringEquals": {"iot:Connection.Thing.IsAttached": "true"}}.`)
      }
      if (statement['Sid'] !== undefined && typeof statement['Sid'] !== 'string')
        throw new MalformedPolicyError(`${where}: Sid must be a string.`)
      return {
        ...(statement['Sid'] !== undefined ? { Sid: statement['Sid'] as string } : {}),
        Effect: effect,
        ...(hasAction ? { Action: actions } : { NotAction: actions }),
        ...(hasResource ? { Resource: resources } : { NotResource: resources }),
        ...(condition !== undefined ? { Condition: condition as PolicyStatement['Condition'] } : {})
      }
    })
  }
}
