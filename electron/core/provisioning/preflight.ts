import {
  DescribeCertificateCommand,
  DescribeThingCommand,
  DescribeThingGroupCommand,
  DescribeThingTypeCommand,
  GetPolicyCommand,
  paginateListThingGroupsForThing,
  paginateListThingPrincipals,
  type IoTClient
} from '@aws-sdk/client-iot'
import type { ProvisionPlan } from '../../contract'
import { allItems } from '../aws/allItems'
import { parseCertificate } from '../certificates'
import { policyVarsFromArn, renderPolicyTemplate } from '../policies/templates'
import { readOrUndefined } from './awsCalls'
import type { BatchFacts } from './batchFacts'
import { errorNameAndMessage, type PlanProblem } from './errors'
import { samePolicyDocument } from './policyDocument'

/** What the read-only checks found in AWS, used by the run to reuse instead of create. */
export interface PlanFacts {
  /** Set when the thing exists with the plan's type and attributes: it is reused, never deleted by undo. */
  existingThing?: { thingName: string; thingArn: string }
  /** The policy the run attaches (none when the plan has no policy). */
  policyName?: string
  /** Set when a policy of that name exists and is the one to use (existing, or the same document). */
  existingPolicy?: { policyName: string; policyArn: string }
  /** Groups the (existing) thing already belongs to: membership is reused. */
  groupsAlreadyJoined: string[]
}

export interface PlanCheck {
  problems: PlanProblem[]
  facts: PlanFacts
}

/** The policy name a template plan uses when the user gives none, e.g. ThingBench-shadow. */
export const templatePolicyName = (template: string): string => `ThingBench-${template}`

/** The policy name the plan attaches, or undefined for no policy. */
export function plannedPolicyName(plan: ProvisionPlan): string | undefined {
  switch (plan.policy.mode) {
    case 'none':
      return undefined
    case 'template':
      return plan.policy.policyName ?? templatePolicyName(plan.policy.template)
    default:
      return plan.policy.policyName
  }
}

/**
 * The checks that need AWS, all read-only, made before any write: thing type, existing thing,
 * policy, groups, an existing certificate. A plan with problems is refused and changes nothing.
 */
export async function checkPlanAgainstAws(plan: ProvisionPlan, iot: IoTClient, batch?: BatchFacts): Promise<PlanCheck> {
  const remembered = <T>(key: string, load: () => Promise<T | undefined>) => (batch ? batch.read(key, load) : load())
  const problems: PlanProblem[] = []
  const facts: PlanFacts = { groupsAlreadyJoined: [], policyName: plannedPolicyName(plan) }
  // Independent reads, made together; problems are reported in plan order.
  const checks: Array<(found: PlanProblem[]) => Promise<void>> = [
    (found) => checkThingType(plan, iot, found, remembered),
    (found) => checkThing(plan, iot, found, facts),
    (found) => checkPolicy(plan, iot, found, facts, remembered),
    (found) => checkGroups(plan, iot, found, remembered),
    (found) => checkCertificate(plan, iot, found)
  ]
  const results = await Promise.all(
    checks.map(async (check) => {
      const found: PlanProblem[] = []
      try {
        await check(found)
        return { found }
      } catch (err) {
        return { found, failure: errorNameAndMessage(err) }
      }
    })
  )
  for (const { found } of results) problems.push(...found)
  const failure = results.find((r) => r.failure)?.failure
  if (failure)
    problems.push({ path: '', message: `Could not check the plan against AWS (${failure.errorName}: ${failure.message}); check the connection and your permissions` })
  return { problems, facts }
}

/** A read that a batch may answer from what an earlier run of it found. */
type Remembered = <T>(key: string, load: () => Promise<T | undefined>) => Promise<T | undefined>

async function checkThingType(plan: ProvisionPlan, iot: IoTClient, problems: PlanProblem[], remembered: Remembered) {
  if (!plan.thingTypeName) return
  const thingTypeName = plan.thingTypeName
  const type = await remembered(`thingType:${thingTypeName}`, () => readOrUndefined(() => iot.send(new DescribeThingTypeCommand({ thingTypeName }))))
  if (!type)
    problems.push({ path: 'thingTypeName', message: `Thing type ${plan.thingTypeName} does not exist (ResourceNotFoundException): create it first or choose another type` })
  else if (type.thingTypeMetadata?.deprecated)
    problems.push({
      path: 'thingTypeName',
      message: `Thing type ${plan.thingTypeName} is deprecated, and AWS does not assign deprecated types to new things (InvalidRequestException): undeprecate it or choose another type`
    })
}

async function checkThing(plan: ProvisionPlan, iot: IoTClient, problems: PlanProblem[], facts: PlanFacts) {
  const thing = await readOrUndefined(() => iot.send(new DescribeThingCommand({ thingName: plan.thingName })))
  if (!thing) return
  const differences: string[] = []
  if ((thing.thingTypeName ?? undefined) !== plan.thingTypeName)
    differences.push(`thing type ${thing.thingTypeName ?? '(none)'} instead of ${plan.thingTypeName ?? '(none)'}`)
  if (!sameAttributes(thing.attributes ?? {}, plan.attributes))
    differences.push(`attributes ${JSON.stringify(thing.attributes ?? {})} instead of ${JSON.stringify(plan.attributes)}`)
  if (differences.length) {
    problems.push({
      path: 'thingName',
      message:
        `Thing ${plan.thingName} already exists with ${differences.join(' and ')} (ResourceAlreadyExistsException). ` +
        'ThingBench does not change an existing thing: make the plan match it, or choose another thing name'
    })
    return
  }
  const joined = await listGroupsOfThing(iot, plan.thingName)
  if (!plan.addCertificateToExistingThing) {
    problems.push({ path: 'thingName', message: existingThingMessage(plan.thingName, await certificatesOfThing(iot, plan.thingName), [...joined]) })
    return
  }
  facts.existingThing = { thingName: plan.thingName, thingArn: thing.thingArn ?? '' }
  facts.groupsAlreadyJoined = plan.groups.filter((g) => joined.has(g))
}

/** Said when a plan names an existing thing without asking to add a certificate to it. */
export function existingThingMessage(thingName: string, certificates: Array<{ certificateId: string; status?: string }>, groups: string[]): string {
  const has = [
    certificates.length
      ? `certificate${certificates.length > 1 ? 's' : ''} ${certificates.map((c) => `${c.certificateId.slice(0, 12)}… (${c.status ?? 'status unknown'})`).join(', ')}`
      : 'no certificate',
    groups.length ? `group${groups.length > 1 ? 's' : ''} ${groups.join(', ')}` : 'no group'
  ]
  return (
    `Thing ${thingName} already exists, with ${has.join(' and ')} (ResourceAlreadyExistsException). ` +
    'Provisioning it again adds another certificate, so two devices could share one identity: choose another thing name, ' +
    'or ask for it explicitly ("Add a certificate to the existing thing" in the wizard, --add-certificate on the command line)'
  )
}

async function certificatesOfThing(iot: IoTClient, thingName: string): Promise<Array<{ certificateId: string; status?: string }>> {
  const principals = await allItems(paginateListThingPrincipals({ client: iot, pageSize: 250 }, { thingName }), (page) => page.principals)
  return Promise.all(
    principals.map(async (arn) => {
      const certificateId = /:cert\/([0-9a-f]{64})$/.exec(arn)?.[1] ?? arn
      const described = await readOrUndefined(() => iot.send(new DescribeCertificateCommand({ certificateId })))
      const status = described?.certificateDescription?.status
      return { certificateId, ...(status ? { status } : {}) }
    })
  )
}

async function checkPolicy(plan: ProvisionPlan, iot: IoTClient, problems: PlanProblem[], facts: PlanFacts, remembered: Remembered) {
  const policy = plan.policy
  if (policy.mode === 'none' || !facts.policyName) return
  const policyName = facts.policyName
  const existing = await remembered(`policy:${policyName}`, () => readOrUndefined(() => iot.send(new GetPolicyCommand({ policyName }))))
  if (policy.mode === 'existing') {
    if (!existing)
      problems.push({ path: 'policy.policyName', message: `Policy ${policyName} does not exist (ResourceNotFoundException): create it first, or let ThingBench make one from a template` })
    else facts.existingPolicy = { policyName, policyArn: existing.policyArn ?? '' }
    return
  }
  if (!existing) return
  // The account and region a template needs are in the existing policy's ARN.
  const wanted =
    policy.mode === 'document' ? policy.document : renderPolicyTemplate(policy.template, policyVarsFromArn(existing.policyArn ?? ''))
  if (samePolicyDocument(existing.policyDocument ?? '', wanted)) facts.existingPolicy = { policyName, policyArn: existing.policyArn ?? '' }
  else
    problems.push({
      path: 'policy.policyName',
      message: differentPolicyMessage(policyName)
    })
}

export const differentPolicyMessage = (policyName: string): string =>
  `A policy named ${policyName} already exists with a different document (ResourceAlreadyExistsException). ` +
  'ThingBench does not overwrite policies: choose another policy name, or attach the existing policy by name'

async function checkGroups(plan: ProvisionPlan, iot: IoTClient, problems: PlanProblem[], remembered: Remembered) {
  for (const [index, groupName] of plan.groups.entries()) {
    const group = await remembered(`group:${groupName}`, () => readOrUndefined(() => iot.send(new DescribeThingGroupCommand({ thingGroupName: groupName }))))
    if (!group)
      problems.push({
        path: `groups.${index}`,
        message: `Thing group ${groupName} does not exist (ResourceNotFoundException): ThingBench adds things only to existing groups; create it first or remove it from the plan`
      })
  }
}

async function checkCertificate(plan: ProvisionPlan, iot: IoTClient, problems: PlanProblem[]) {
  if (plan.certificate.mode !== 'existing') return
  // A guess: AWS names a certificate by the SHA-256 of its DER, other services (moto) do not, so
  // finding nothing under it proves nothing; RegisterCertificateWithoutCA will still refuse a duplicate.
  const { certificateId } = parseCertificate(plan.certificate.certificatePem)
  const registered = await readOrUndefined(() => iot.send(new DescribeCertificateCommand({ certificateId })))
  const registeredPem = registered?.certificateDescription?.certificatePem
  if (registeredPem && parseCertificate(registeredPem).certificateId === certificateId)
    problems.push({
      path: 'certificate.certificatePem',
      message: `This certificate is already registered as ${certificateId} (status ${registered?.certificateDescription?.status ?? 'unknown'}) (ResourceAlreadyExistsException): attach the registered certificate instead, or give the device a new one`
    })
}

export async function listGroupsOfThing(iot: IoTClient, thingName: string): Promise<Set<string>> {
  const groups = await allItems(paginateListThingGroupsForThing({ client: iot, pageSize: 250 }, { thingName }), (page) => page.thingGroups)
  return new Set(groups.flatMap((g) => (g.groupName ? [g.groupName] : [])))
}

function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k])
}
