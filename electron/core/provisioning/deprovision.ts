import {
  DeleteCertificateCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteThingCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  ListPolicyVersionsCommand,
  paginateListAttachedPolicies,
  paginateListPrincipalThings,
  paginateListTargetsForPolicy,
  paginateListThingPrincipals,
  UpdateCertificateCommand,
  type IoTClient
} from '@aws-sdk/client-iot'
import type { PlannedCall } from '../../contract'
import { allItems } from '../aws/allItems'
import type { Vault } from '../vault'
import { readOrUndefined, retryWhile, tolerateNotFound } from './awsCalls'
import { DeprovisionError, errorNameAndMessage, ThingNotFoundError } from './errors'

export interface DeprovisionRequest {
  thingName: string
  /** Also delete the policies of its certificates that end up attached to nothing. */
  deletePolicy: boolean
  /** List the calls (making only read calls) instead of making them. */
  dryRun: boolean
}

export interface DeprovisionContext {
  iot: IoTClient
  vault: Vault
}

export interface DeprovisionResult {
  calls: PlannedCall[]
  done: boolean
  /** What was deliberately left alone, e.g. a certificate that other things still use. */
  notes: string[]
}

interface Step {
  call: PlannedCall
  make: () => Promise<unknown>
}

/**
 * Takes a thing out of service in AWS's cleanup order: for each certificate — detach it from the
 * thing, detach its policies, deactivate, delete, delete the policies left attached to nothing (if
 * asked), delete its vault key — then delete the thing. Certificates other things still use are
 * only detached. The plan is built from read calls; a dry run returns it without making it.
 */
export async function deprovision(request: DeprovisionRequest, ctx: DeprovisionContext): Promise<DeprovisionResult> {
  const { steps, notes } = await planDeprovision(request, ctx)
  const calls = steps.map((s) => s.call)
  if (request.dryRun) return { calls, done: false, notes }
  const completed: PlannedCall[] = []
  for (const step of steps) {
    try {
      await step.make()
    } catch (err) {
      const { errorName, message } = errorNameAndMessage(err)
      throw new DeprovisionError(step.call, errorName, message, completed)
    }
    completed.push(step.call)
  }
  return { calls, done: true, notes }
}

async function planDeprovision(request: DeprovisionRequest, { iot, vault }: DeprovisionContext): Promise<{ steps: Step[]; notes: string[] }> {
  const { thingName } = request
  const thing = await readOrUndefined(() => iot.send(new DescribeThingCommand({ thingName })))
  if (!thing) throw new ThingNotFoundError(thingName)

  const steps: Step[] = []
  const notes: string[] = []
  const add = (operation: string, target: string, make: () => Promise<unknown>) => steps.push({ call: { operation, target }, make })

  // Read everything first: whether a policy ends up attached to nothing depends on all certificates.
  const principals: Array<{ principal: string; certificateId?: string; policies?: string[]; status?: string }> = []
  for (const principal of await listThingPrincipals(iot, thingName)) {
    const certificateId = certificateIdOf(principal)
    if (!certificateId) {
      principals.push({ principal })
      continue
    }
    const otherThings = (await listPrincipalThings(iot, principal)).filter((t) => t !== thingName)
    if (otherThings.length) {
      notes.push(`Certificate ${certificateId} is only detached: things ${otherThings.join(', ')} still use it`)
      principals.push({ principal })
      continue
    }
    const described = await readOrUndefined(() => iot.send(new DescribeCertificateCommand({ certificateId })))
    principals.push({ principal, certificateId, policies: await listAttachedPolicies(iot, principal), status: described?.certificateDescription?.status })
  }
  const detachedBy = new Map<string, Set<string>>() // policy -> the targets this plan detaches
  for (const p of principals) for (const policyName of p.policies ?? []) detachedBy.set(policyName, (detachedBy.get(policyName) ?? new Set()).add(p.principal))
  const deletable = new Set<string>()
  if (request.deletePolicy)
    for (const [policyName, detached] of detachedBy) {
      const remaining = (await listTargetsForPolicy(iot, policyName)).filter((t) => !detached.has(t))
      if (remaining.length) notes.push(`Policy ${policyName} is kept: it is still attached to ${remaining.join(', ')}`)
      else deletable.add(policyName)
    }
  const stillToDetach = new Map([...detachedBy].map(([policyName, targets]) => [policyName, new Set(targets)]))

  for (const { principal, certificateId, policies, status } of principals) {
    add('DetachThingPrincipal', `${thingName} ${principal}`, () =>
      tolerateNotFound(() => iot.send(new DetachThingPrincipalCommand({ thingName, principal })))
    )
    if (!certificateId || !policies) continue
    for (const policyName of policies)
      add('DetachPolicy', `${policyName} ${principal}`, () =>
        tolerateNotFound(() => iot.send(new DetachPolicyCommand({ policyName, target: principal })))
      )
    if (status === 'ACTIVE')
      add('UpdateCertificate', `${certificateId} INACTIVE`, () => iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' })))
    if (status !== undefined)
      add('DeleteCertificate', certificateId, () => tolerateNotFound(() => iot.send(new DeleteCertificateCommand({ certificateId }))))
    // A policy goes right after the last certificate that held it.
    for (const policyName of policies) {
      const left = stillToDetach.get(policyName)
      left?.delete(principal)
      if (!deletable.has(policyName) || left?.size) continue
      for (const versionId of await nonDefaultPolicyVersions(iot, policyName))
        add('DeletePolicyVersion', `${policyName} version ${versionId}`, () =>
          tolerateNotFound(() => iot.send(new DeletePolicyVersionCommand({ policyName, policyVersionId: versionId })))
        )
      add('DeletePolicy', policyName, () =>
        retryWhile('DeleteConflictException', /attached/i, () => tolerateNotFound(() => iot.send(new DeletePolicyCommand({ policyName }))))
      )
    }
    if (await vault.has(certificateId))
      add('DeleteVaultKey', certificateId, async () => {
        if (await vault.has(certificateId)) await vault.delete(certificateId)
      })
  }

  // DetachThingPrincipal is asynchronous on AWS: DeleteThing may briefly still see a principal.
  add('DeleteThing', thingName, () =>
    retryWhile('InvalidRequestException', /still attached/i, () => tolerateNotFound(() => iot.send(new DeleteThingCommand({ thingName }))))
  )
  return { steps, notes }
}

/** The certificate id in a certificate ARN (arn:aws:iot:region:account:cert/<id>), else undefined. */
function certificateIdOf(principal: string): string | undefined {
  const match = /:cert\/([0-9a-fA-F]{64})$/.exec(principal)
  return match?.[1]
}

const listThingPrincipals = (iot: IoTClient, thingName: string): Promise<string[]> =>
  allItems(paginateListThingPrincipals({ client: iot, pageSize: 250 }, { thingName }), (page) => page.principals)

const listPrincipalThings = (iot: IoTClient, principal: string): Promise<string[]> =>
  allItems(paginateListPrincipalThings({ client: iot, pageSize: 250 }, { principal }), (page) => page.things)

const listAttachedPolicies = (iot: IoTClient, target: string): Promise<string[]> =>
  allItems(paginateListAttachedPolicies({ client: iot, pageSize: 250 }, { target }), (page) =>
    page.policies?.flatMap((p) => (p.policyName ? [p.policyName] : []))
  )

const listTargetsForPolicy = (iot: IoTClient, policyName: string): Promise<string[]> =>
  allItems(paginateListTargetsForPolicy({ client: iot, pageSize: 250 }, { policyName }), (page) => page.targets)

async function nonDefaultPolicyVersions(iot: IoTClient, policyName: string): Promise<string[]> {
  // ListPolicyVersions is not paged: a policy keeps at most five versions.
  const out = await iot.send(new ListPolicyVersionsCommand({ policyName }))
  return (out.policyVersions ?? []).filter((v) => !v.isDefaultVersion && v.versionId).map((v) => v.versionId as string)
}
