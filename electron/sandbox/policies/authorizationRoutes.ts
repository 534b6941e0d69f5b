import { certificateIdFromArn, getCertificate } from '../certificates/routes'
import type { SandboxContext } from '../context'
import { IotError, invalidRequest } from '../http/iotError'
import { assertEnum, bodyObject, bodyString } from '../http/input'
import type { Route, SandboxRequest } from '../http/route'
import { assertValid, rules } from '../http/validate'
import { requireThing, requireThingGroup } from '../registry/lookups'
import type { CertificateRecord, ThingGroupRecord } from '../state/records'
import { deviceAuthorization } from './connectionAuthorization'
import { evaluateAuthorization, policiesOf, type AuthDecision, type PolicyInForce, type PolicyReference } from './evaluate'
import { defaultVersionInForce, policiesInForce } from './inForce'
import { getPolicy } from './routes'
import type { AuthorizationContext } from './variables'

// TestAuthorization and GetEffectivePolicies (research/iot-core.md §3.5 step 6, §4.7): the policy
// engine the broker uses, asked from the control plane, so a refusal can be explained.

const ACTION_TYPES = ['PUBLISH', 'SUBSCRIBE', 'RECEIVE', 'CONNECT'] as const
type ActionType = (typeof ACTION_TYPES)[number]
const ACTION_OF: Record<ActionType, string> = {
  PUBLISH: 'iot:Publish',
  SUBSCRIBE: 'iot:Subscribe',
  RECEIVE: 'iot:Receive',
  CONNECT: 'iot:Connect'
}
const MAX_AUTH_INFOS = 10
const COGNITO_IDENTITY = /^[a-z]{2}(-[a-z]+)+-\d+:[0-9a-f-]+$/i

type Principal = { kind: 'certificate'; certificate: CertificateRecord } | { kind: 'thingGroup'; group: ThingGroupRecord }

const validationError = (value: string, member: string, constraint: string): IotError =>
  invalidRequest(`1 validation error detected: Value ${value} at '${member}' failed to satisfy constraint: ${constraint}`)

const cognitoUnsupported = (): IotError =>
  invalidRequest(
    'The Local IoT Core has no Amazon Cognito identities. Pass the principal as a certificate ARN (arn:aws:iot:<region>:<account>:cert/<certificateId>) or a certificate id, and leave out cognitoIdentityPoolId.'
  )

function resolvePrincipal(ctx: SandboxContext, principal: string): Principal {
  const bareId = /^(0x)?[0-9a-fA-F]{64}$/.test(principal) ? principal : undefined
  const certificateId = bareId ?? certificateIdFromArn(ctx, principal)
  if (certificateId !== undefined) {
    assertValid([[certificateId, 'principal', rules.certificateId]])
    return { kind: 'certificate', certificate: getCertificate(ctx, certificateId) }
  }
  const groupPrefix = ctx.arn('thinggroup/')
  if (principal.startsWith(groupPrefix)) return { kind: 'thingGroup', group: requireThingGroup(ctx, principal.slice(groupPrefix.length)) }
  if (COGNITO_IDENTITY.test(principal)) throw cognitoUnsupported()
  if (/^arn:aws[a-z-]*:iot:/.test(principal))
    throw new IotError(
      'ResourceNotFoundException',
      404,
      `The principal ${principal} does not exist in the Local IoT Core, which serves account ${ctx.accountId} in ${ctx.region}. Pass a certificate ARN such as ${ctx.arn('cert/<certificateId>')}.`
    )
  throw invalidRequest(
    `The principal '${principal}' is not a certificate ARN, a certificate id or a thing-group ARN; pass e.g. ${ctx.arn('cert/<certificateId>')}.`
  )
}

function stringList(value: unknown, member: string): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw new IotError('SerializationException', 400, `The member '${member}' must be a list of strings.`)
  return value as string[]
}

function policyNames(body: Record<string, unknown>, member: string): string[] {
  const names = stringList(body[member], member)
  assertValid(names.map((name, i) => [name, `${member}.${i + 1}.member`, rules.policyName]))
  return names
}

interface AuthInfo {
  actionType: ActionType
  resources: string[]
}

function authInfosOf(body: Record<string, unknown>): AuthInfo[] {
  const raw = body['authInfos']
  if (raw === undefined || raw === null) throw validationError('null', 'authInfos', 'Member must not be null')
  if (!Array.isArray(raw)) throw new IotError('SerializationException', 400, "The member 'authInfos' must be a list of {actionType, resources}.")
  if (raw.length < 1) throw validationError('[]', 'authInfos', 'Member must have length greater than or equal to 1')
  if (raw.length > MAX_AUTH_INFOS)
    throw validationError(`'${raw.length} items'`, 'authInfos', `Member must have length less than or equal to ${MAX_AUTH_INFOS}`)
  return raw.map((item: unknown, index) => {
    const member = `authInfos.${index + 1}.member`
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw new IotError('SerializationException', 400, `The member '${member}' must be an object {actionType, resources}.`)
    const info = item as Record<string, unknown>
    const actionType = bodyString(info, 'actionType')
    if (actionType === undefined) throw validationError('null', `${member}.actionType`, 'Member must not be null')
    if (info['resources'] === undefined || info['resources'] === null)
      throw validationError('null', `${member}.resources`, 'Member must not be null')
    const resources = stringList(info['resources'], `${member}.resources`)
    if (resources.length === 0)
      throw invalidRequest(`${member}.resources is empty: give at least one resource ARN, e.g. arn:aws:iot:<region>:<account>:topic/<topic>.`)
    const notArn = resources.find((resource) => !resource.startsWith('arn:'))
    if (notArn !== undefined)
      throw invalidRequest(
        `The resource '${notArn}' in ${member}.resources is not an ARN. Give the full ARN, e.g. arn:aws:iot:<region>:<account>:topic/<topic>, topicfilter/<filter> for SUBSCRIBE or client/<clientId> for CONNECT.`
      )
    return { actionType: assertEnum(actionType, `${member}.actionType`, ACTION_TYPES), resources }
  })
}

function uniquePolicies(lists: PolicyReference[][]): PolicyReference[] {
  const seen = new Map<string, PolicyReference>()
  for (const policy of lists.flat()) if (!seen.has(policy.policyName)) seen.set(policy.policyName, policy)
  return [...seen.values()]
}

function combinedDecision(decisions: AuthDecision[]): AuthDecision {
  if (decisions.includes('EXPLICIT_DENY')) return 'EXPLICIT_DENY'
  if (decisions.includes('IMPLICIT_DENY')) return 'IMPLICIT_DENY'
  return 'ALLOWED'
}

export function authorizationRoutes(ctx: SandboxContext): Route[] {
  const rejectCognito = (body: Record<string, unknown>): void => {
    if (bodyString(body, 'cognitoIdentityPoolId') !== undefined) throw cognitoUnsupported()
  }
  const principalOf = (body: Record<string, unknown>): Principal | undefined => {
    const principal = bodyString(body, 'principal')
    return principal === undefined || principal === '' ? undefined : resolvePrincipal(ctx, principal)
  }

  /** The context and policies TestAuthorization evaluates, with policyNamesToAdd/ToSkip applied. */
  const authorizationFor = (req: SandboxRequest, body: Record<string, unknown>): { context: AuthorizationContext; policies: PolicyInForce[] } => {
    const clientId = req.query.get('clientId') || undefined
    const principal = principalOf(body)
    const toAdd = policyNames(body, 'policyNamesToAdd')
    const toSkip = new Set(policyNames(body, 'policyNamesToSkip'))
    const { context, policies } =
      principal?.kind === 'certificate'
        ? deviceAuthorization(ctx.store, { certificateId: principal.certificate.certificateId, ...(clientId !== undefined ? { clientId } : {}) })
        : {
            context: clientId !== undefined ? { clientId } : {},
            policies: principal ? policiesInForce(ctx.store, { thingGroupName: principal.group.thingGroupName }) : []
          }
    const inForce: PolicyInForce[] = policies.filter((p) => !toSkip.has(p.policyName))
    for (const name of toAdd) {
      const policy = getPolicy(ctx, name)
      if (toSkip.has(name) || inForce.some((p) => p.policyName === name)) continue
      const added = defaultVersionInForce(policy)
      if (added) inForce.push(added)
    }
    return { context, policies: inForce }
  }

  return [
    {
      operation: 'TestAuthorization',
      method: 'POST',
      pattern: '/test-authorization',
      handler(req) {
        const body = bodyObject(req)
        rejectCognito(body)
        const authInfos = authInfosOf(body)
        const { context, policies } = authorizationFor(req, body)
        const authResults = authInfos.map((info) => {
          const results = info.resources.map((resource) =>
            evaluateAuthorization(policies, { action: ACTION_OF[info.actionType], resource }, context)
          )
          return {
            authInfo: { actionType: info.actionType, resources: info.resources },
            allowed: { policies: uniquePolicies(results.map((r) => policiesOf(r.allowedBy))) },
            denied: {
              implicitDeny: { policies: uniquePolicies(results.map((r) => r.unmatched)) },
              explicitDeny: { policies: uniquePolicies(results.map((r) => policiesOf(r.deniedBy))) }
            },
            authDecision: combinedDecision(results.map((r) => r.decision)),
            missingContextValues: [...new Set(results.flatMap((r) => r.missingContextValues))]
          }
        })
        return { body: { authResults } }
      }
    },
    {
      operation: 'GetEffectivePolicies',
      method: 'POST',
      pattern: '/effective-policies',
      handler(req) {
        const body = bodyObject(req)
        rejectCognito(body)
        const thingName = req.query.get('thingName') || undefined
        if (thingName !== undefined) {
          assertValid([[thingName, 'thingName', rules.thingName]])
          requireThing(ctx, thingName)
        }
        const principal = principalOf(body)
        if (!principal && thingName === undefined)
          throw invalidRequest('GetEffectivePolicies needs a principal (a certificate ARN) or a thingName, or both.')
        const policies = policiesInForce(ctx.store, {
          ...(principal?.kind === 'certificate' ? { certificateId: principal.certificate.certificateId } : {}),
          ...(principal?.kind === 'thingGroup' ? { thingGroupName: principal.group.thingGroupName } : {}),
          ...(thingName !== undefined ? { thingName } : {})
        })
        return {
          body: {
            effectivePolicies: policies.map((p) => ({ policyName: p.policyName, policyArn: p.policyArn, policyDocument: p.document }))
          }
        }
      }
    }
  ]
}
