import { conditionsHold } from './conditions'
import { parsePolicyDocument, type PolicyStatement } from './document'
import { compilePattern, literalPattern, patternMatches, type Pattern } from './pattern'
import { substitutionValue, type AuthorizationContext } from './variables'

// The IoT policy engine (research/iot-core.md §3.5): a statement applies when its Action (or
// NotAction) covers the action, its Resource (or NotResource) the resource ARN, and its Condition
// holds. Any applicable Deny refuses; otherwise any applicable Allow grants; otherwise the request is
// refused by default. Actions compare without regard to case, resources (topics, client ids, thing
// names) with it. One engine for the broker, the HTTP data plane and TestAuthorization.

export type AuthDecision = 'ALLOWED' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY'

/** A policy as the engine reads it: its default version's statements. */
export interface PolicyInForce {
  policyName: string
  policyArn: string
  /** The document the statements come from, as stored. */
  document: string
  statements: readonly PolicyStatement[]
}

export interface AuthorizationRequest {
  /** e.g. `iot:Connect`, `iot:Publish`, `iot:Subscribe`, `iot:Receive`, `iot:RetainPublish`, `iot:UpdateThingShadow`. */
  action: string
  /** The full ARN, e.g. `arn:aws:iot:us-east-1:123456789012:topic/$aws/things/lamp/shadow/get`. */
  resource: string
}

/** One statement that applied to the request. */
export interface StatementMatch {
  policyName: string
  policyArn: string
  /** 0-based position in the policy's Statement array. */
  statementIndex: number
  sid?: string
  effect: 'Allow' | 'Deny'
}

export interface PolicyReference {
  policyName: string
  policyArn: string
}

export interface AuthorizationResult {
  decision: AuthDecision
  /** The Allow statements that applied (also when a Deny won). */
  allowedBy: StatementMatch[]
  /** The Deny statements that applied; non-empty exactly when the decision is EXPLICIT_DENY. */
  deniedBy: StatementMatch[]
  /** Policies with no statement that applied (AWS's `implicitDeny.policies`). */
  unmatched: PolicyReference[]
  /** Variables and condition keys the request had no value for, in the statements whose action matched. */
  missingContextValues: string[]
}

const MAX_CACHED_DOCUMENTS = 1000
const parsedDocuments = new Map<string, readonly PolicyStatement[]>()

/**
 * A policy ready to evaluate. Parsing is cached by document text, so calling this on every check is
 * cheap. A document that does not parse (never stored by CreatePolicy) has no statements: it grants nothing.
 */
export function policyInForce(policyName: string, policyArn: string, document: string): PolicyInForce {
  let statements = parsedDocuments.get(document)
  if (!statements) {
    try {
      statements = parsePolicyDocument(document).Statement
    } catch {
      statements = []
    }
    if (parsedDocuments.size >= MAX_CACHED_DOCUMENTS) parsedDocuments.delete(parsedDocuments.keys().next().value!)
    parsedDocuments.set(document, statements)
  }
  return { policyName, policyArn, document, statements }
}

const actionPatterns = new Map<string, Pattern>()
function actionPattern(text: string): Pattern {
  let pattern = actionPatterns.get(text)
  if (!pattern) {
    pattern = literalPattern(text, true)
    if (actionPatterns.size >= MAX_CACHED_DOCUMENTS) actionPatterns.clear()
    actionPatterns.set(text, pattern)
  }
  return pattern
}

function actionCovered(statement: PolicyStatement, action: string): boolean {
  const subject = action.toLowerCase()
  if (statement.Action) return statement.Action.some((a) => patternMatches(actionPattern(a), subject))
  return !(statement.NotAction ?? []).some((a) => patternMatches(actionPattern(a), subject))
}

/** A resource entry with an unresolved variable matches nothing (AWS leaves `${…}` in place). */
function resourceMatches(entry: string, resource: string, context: AuthorizationContext, missing: Set<string>): boolean {
  const compiled = compilePattern(entry, (name) => substitutionValue(context, name))
  if ('unresolved' in compiled) {
    compiled.unresolved.forEach((name) => missing.add(name))
    return false
  }
  return patternMatches(compiled.pattern, resource)
}

function resourceCovered(statement: PolicyStatement, resource: string, context: AuthorizationContext, missing: Set<string>): boolean {
  if (statement.Resource) return statement.Resource.some((entry) => resourceMatches(entry, resource, context, missing))
  // Every entry is tried, so each missing variable is reported.
  const excluded = (statement.NotResource ?? []).map((entry) => resourceMatches(entry, resource, context, missing))
  return !excluded.includes(true)
}

/** Decides one request against the policies in force. */
export function evaluateAuthorization(
  policies: readonly PolicyInForce[],
  request: AuthorizationRequest,
  context: AuthorizationContext
): AuthorizationResult {
  const allowedBy: StatementMatch[] = []
  const deniedBy: StatementMatch[] = []
  const unmatched: PolicyReference[] = []
  const missing = new Set<string>()
  for (const policy of policies) {
    let applied = false
    policy.statements.forEach((statement, statementIndex) => {
      if (!actionCovered(statement, request.action)) return
      // Both checks run, so missing values of either are reported.
      const resourceOk = resourceCovered(statement, request.resource, context, missing)
      const conditionOk = conditionsHold(statement.Condition, context, missing)
      if (!resourceOk || !conditionOk) return
      applied = true
      const match: StatementMatch = {
        policyName: policy.policyName,
        policyArn: policy.policyArn,
        statementIndex,
        ...(statement.Sid !== undefined ? { sid: statement.Sid } : {}),
        effect: statement.Effect
      }
      ;(statement.Effect === 'Deny' ? deniedBy : allowedBy).push(match)
    })
    if (!applied) unmatched.push({ policyName: policy.policyName, policyArn: policy.policyArn })
  }
  const decision: AuthDecision = deniedBy.length > 0 ? 'EXPLICIT_DENY' : allowedBy.length > 0 ? 'ALLOWED' : 'IMPLICIT_DENY'
  return { decision, allowedBy, deniedBy, unmatched, missingContextValues: [...missing] }
}

/** The distinct policies of some statement matches, in order. */
export function policiesOf(matches: readonly StatementMatch[]): PolicyReference[] {
  const seen = new Map<string, PolicyReference>()
  for (const m of matches) if (!seen.has(m.policyName)) seen.set(m.policyName, { policyName: m.policyName, policyArn: m.policyArn })
  return [...seen.values()]
}
