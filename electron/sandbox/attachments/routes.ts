import { certificateIdFromArn, getCertificate } from '../certificates/routes'
import type { SandboxContext } from '../context'
import { invalidRequest, limitExceeded, notFound } from '../http/iotError'
import { assertEnum, bodyObject, bodyString, queryBoolean, requiredHeader } from '../http/input'
import { ATTACHMENT_PAGING, MARKER_PAGING, pageRequestOf, paginate } from '../http/paging'
import type { Route, SandboxRequest } from '../http/route'
import { assertValid, rules } from '../http/validate'
import { getPolicy } from '../policies/routes'
import type { PolicyRecord, PolicyTargetRecord, ThingGroupRecord, ThingPrincipalRecord, ThingRecord } from '../state/records'

// Policy attachments (to certificates and thing groups) and thing–principal attachments
// (research/iot-core.md §4.7). Things and groups belong to the registry; their existence is read from
// its `things` and `thingGroups` collections.

export const MAX_POLICIES_PER_TARGET = 10
const PRINCIPAL_TYPES = ['EXCLUSIVE_THING', 'NON_EXCLUSIVE_THING'] as const

export const policyTargetKey = (policyName: string, target: string): string => `${policyName}\u0000${target}`
export const thingPrincipalKey = (thingName: string, principal: string): string => `${thingName}\u0000${principal}`

type Target = { kind: 'certificate'; arn: string } | { kind: 'thingGroup'; arn: string; group: ThingGroupRecord }

/** Checks a policy target names an existing certificate or thing group of this account. */
function resolveTarget(ctx: SandboxContext, target: string): Target {
  const certificateId = certificateIdFromArn(ctx, target)
  if (certificateId !== undefined) {
    getCertificate(ctx, certificateId)
    return { kind: 'certificate', arn: target }
  }
  const groupPrefix = ctx.arn('thinggroup/')
  if (target.startsWith(groupPrefix)) {
    const groupName = target.slice(groupPrefix.length)
    const group = ctx.store.get<ThingGroupRecord>('thingGroups', groupName)
    if (!group) throw notFound(`The thing group ${groupName} does not exist.`)
    return { kind: 'thingGroup', arn: target, group }
  }
  if (/^arn:aws:iot:/.test(target))
    throw notFound(
      `The target ${target} does not exist in the Local IoT Core, which serves account ${ctx.accountId} in ${ctx.region}. Use a certificate ARN (${ctx.arn('cert/<id>')}) or a thing-group ARN (${ctx.arn('thinggroup/<name>')}).`
    )
  throw invalidRequest(
    `The target '${target}' is not a certificate ARN or a thing-group ARN; pass e.g. ${ctx.arn('cert/<certificateId>')}.`
  )
}

/** Checks a thing principal is the ARN of an existing certificate. */
function resolvePrincipal(ctx: SandboxContext, principal: string): string {
  const certificateId = certificateIdFromArn(ctx, principal)
  if (certificateId === undefined)
    throw invalidRequest(`The principal '${principal}' is not a certificate ARN of this account; pass e.g. ${ctx.arn('cert/<certificateId>')}.`)
  try {
    getCertificate(ctx, certificateId)
  } catch {
    throw notFound('The certificate given in the principal does not exist.')
  }
  return principal
}

function requireThing(ctx: SandboxContext, thingName: string): ThingRecord {
  assertValid([[thingName, 'thingName', rules.thingName]])
  const thing = ctx.store.get<ThingRecord>('things', thingName)
  if (!thing) throw notFound(`The thing ${thingName} does not exist.`)
  return thing
}

export function attachmentRoutes(ctx: SandboxContext): Route[] {
  const policyTargets = (match: (t: Readonly<PolicyTargetRecord>) => boolean = () => true): PolicyTargetRecord[] =>
    ctx.store.filter<PolicyTargetRecord>('policyTargets', match)
  const thingPrincipals = (match: (p: Readonly<ThingPrincipalRecord>) => boolean): ThingPrincipalRecord[] =>
    ctx.store.filter<ThingPrincipalRecord>('thingPrincipals', match)
  const pathPolicyName = (req: SandboxRequest): string => {
    const policyName = req.params['policyName']!
    assertValid([[policyName, 'policyName', rules.policyName]])
    return policyName
  }
  return [
    {
      operation: 'AttachPolicy',
      method: 'PUT',
      pattern: '/target-policies/{policyName}',
      handler(req) {
        const policy = getPolicy(ctx, pathPolicyName(req))
        const target = resolveTarget(ctx, bodyString(bodyObject(req), 'target', true))
        const attached = policyTargets((t) => t.target === target.arn)
        if (attached.some((t) => t.policyName === policy.policyName)) return {}
        if (attached.length >= MAX_POLICIES_PER_TARGET)
          throw limitExceeded(
            `The target ${target.arn} already has ${attached.length} policies attached, the most AWS IoT allows. Detach one or combine policies.`
          )
        const record: PolicyTargetRecord = { policyName: policy.policyName, target: target.arn }
        ctx.store.commit([{ op: 'put', collection: 'policyTargets', key: policyTargetKey(policy.policyName, target.arn), value: record }])
        return {}
      }
    },
    {
      operation: 'DetachPolicy',
      method: 'POST',
      pattern: '/target-policies/{policyName}',
      handler(req) {
        const policy = getPolicy(ctx, pathPolicyName(req))
        const target = resolveTarget(ctx, bodyString(bodyObject(req), 'target', true))
        const key = policyTargetKey(policy.policyName, target.arn)
        if (ctx.store.get('policyTargets', key)) ctx.store.commit([{ op: 'delete', collection: 'policyTargets', key }])
        return {}
      }
    },
    {
      operation: 'ListAttachedPolicies',
      method: 'POST',
      pattern: '/attached-policies/{target}',
      handler(req) {
        const target = resolveTarget(ctx, req.params['target']!)
        const recursive = queryBoolean(req, 'recursive') ?? false
        const targets = [target.arn]
        if (recursive && target.kind === 'thingGroup') {
          // Ancestors' policies apply to a group's members too.
          let parent = target.group.parentGroupName
          for (let depth = 0; parent && depth < 16; depth++) {
            const group = ctx.store.get<ThingGroupRecord>('thingGroups', parent)
            if (!group) break
            targets.push(group.thingGroupArn)
            parent = group.parentGroupName
          }
        }
        const all = policyTargets()
        // The target's own policies first, then each ancestor's, nearest first; a policy is listed once.
        const nearness = new Map<string, number>()
        targets.forEach((arn, depth) => {
          for (const t of all) if (t.target === arn && !nearness.has(t.policyName)) nearness.set(t.policyName, depth)
        })
        const policies = [...nearness].flatMap(([name, depth]) => {
          const policy = ctx.store.get<PolicyRecord>('policies', name)
          return policy ? [{ depth, policyName: policy.policyName, policyArn: policy.policyArn }] : []
        })
        const page = paginate(policies, (p) => `${String(p.depth).padStart(2, '0')}/${p.policyName}`, pageRequestOf(req, MARKER_PAGING))
        return { body: { policies: page.items.map(({ policyName, policyArn }) => ({ policyName, policyArn })), nextMarker: page.next } }
      }
    },
    {
      operation: 'ListTargetsForPolicy',
      method: 'POST',
      pattern: '/policy-targets/{policyName}',
      handler(req) {
        const policy = getPolicy(ctx, pathPolicyName(req))
        const targets = policyTargets((t) => t.policyName === policy.policyName).map((t) => t.target)
        const page = paginate(targets, (arn) => arn, pageRequestOf(req, MARKER_PAGING))
        return { body: { targets: page.items, nextMarker: page.next } }
      }
    },
    {
      operation: 'AttachThingPrincipal',
      method: 'PUT',
      pattern: '/things/{thingName}/principals',
      handler(req) {
        const thing = requireThing(ctx, req.params['thingName']!)
        const principal = resolvePrincipal(ctx, requiredHeader(req, 'x-amzn-principal', 'principal'))
        const type = assertEnum(req.query.get('thingPrincipalType') ?? 'NON_EXCLUSIVE_THING', 'thingPrincipalType', PRINCIPAL_TYPES)
        const others = thingPrincipals((p) => p.principal === principal && p.thingName !== thing.thingName)
        const exclusiveElsewhere = others.find((p) => p.thingPrincipalType === 'EXCLUSIVE_THING')
        if (exclusiveElsewhere)
          throw invalidRequest(
            `The principal ${principal} is exclusively attached to the thing ${exclusiveElsewhere.thingName}; detach it there first.`
          )
        if (type === 'EXCLUSIVE_THING' && others.length > 0)
          throw invalidRequest(
            `The principal ${principal} cannot be attached exclusively to ${thing.thingName}: it is also attached to ${others.map((p) => p.thingName).join(', ')}. Detach it there first.`
          )
        const record: ThingPrincipalRecord = { thingName: thing.thingName, principal, thingPrincipalType: type }
        ctx.store.commit([{ op: 'put', collection: 'thingPrincipals', key: thingPrincipalKey(thing.thingName, principal), value: record }])
        return { body: {} }
      }
    },
    {
      operation: 'DetachThingPrincipal',
      method: 'DELETE',
      pattern: '/things/{thingName}/principals',
      handler(req) {
        const thing = requireThing(ctx, req.params['thingName']!)
        const principal = requiredHeader(req, 'x-amzn-principal', 'principal')
        const key = thingPrincipalKey(thing.thingName, principal)
        if (ctx.store.get('thingPrincipals', key)) ctx.store.commit([{ op: 'delete', collection: 'thingPrincipals', key }])
        return { body: {} }
      }
    },
    {
      operation: 'ListThingPrincipals',
      method: 'GET',
      pattern: '/things/{thingName}/principals',
      handler(req) {
        const thing = requireThing(ctx, req.params['thingName']!)
        const principals = thingPrincipals((p) => p.thingName === thing.thingName).map((p) => p.principal)
        const page = paginate(principals, (arn) => arn, pageRequestOf(req, ATTACHMENT_PAGING))
        return { body: { principals: page.items, nextToken: page.next } }
      }
    },
    {
      operation: 'ListPrincipalThings',
      method: 'GET',
      pattern: '/principals/things',
      handler(req) {
        const principal = resolvePrincipal(ctx, requiredHeader(req, 'x-amzn-principal', 'principal'))
        const things = thingPrincipals((p) => p.principal === principal).map((p) => p.thingName)
        const page = paginate(things, (thingName) => thingName, pageRequestOf(req, ATTACHMENT_PAGING))
        return { body: { things: page.items, nextToken: page.next } }
      }
    }
  ]
}
