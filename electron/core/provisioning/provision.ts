import { randomUUID } from 'node:crypto'
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  GetPolicyCommand
} from '@aws-sdk/client-iot'
import type { ProvisionPlan, ProvisionResult, ProvisionStep } from '../../contract'
import { certificateMatchesKey } from '../certificates'
import { policyVarsFromArn, renderPolicyTemplate } from '../policies/templates'
import { issueCertificate, type StepRunner } from './certificateSteps'
import { describeStepFailure, errorNameAndMessage, LocalStepError, PlanRefusedError, ProvisioningError, type PlanProblem } from './errors'
import type { JournalRun } from './journal'
import { samePolicyDocument } from './policyDocument'
import { checkPlanAgainstAws, differentPolicyMessage, type PlanFacts } from './preflight'
import { attachHooks, journaledWrite, progressEmitter, type ProvisionContext } from './runContext'
import { undoRun } from './undo'
import { validatePlan } from './validatePlan'

/**
 * Provisions one thing (design.md "Provision"). The plan is checked first, locally and read-only
 * against AWS; a refused plan throws PlanRefusedError having made no write. Each write is
 * journaled; a failure undoes this run's writes newest first and throws ProvisioningError.
 * What existed before (thing, policy, group membership) is reused and never undone.
 */
export async function provision(plan: ProvisionPlan, ctx: ProvisionContext): Promise<ProvisionResult> {
  const local = validatePlan(plan)
  if (!local.ok) throw new PlanRefusedError(local.problems)
  const keyProblem = keptKeyProblem(local.plan, ctx.existingCertificateKey)
  if (keyProblem) throw new PlanRefusedError([keyProblem])
  const { problems, facts } = await checkPlanAgainstAws(local.plan, ctx.iot, ctx.batchFacts)
  if (problems.length) throw new PlanRefusedError(problems)

  const runId = ctx.runId ?? randomUUID()
  const emit = progressEmitter(ctx.onProgress)
  const run = await ctx.journal.begin({ runId, thingName: plan.thingName, connection: ctx.connection })
  attachHooks(run, ctx.hooks)
  let currentStep: ProvisionStep = 'generateKey'

  const runStep: StepRunner = async (step, body) => {
    currentStep = step
    if (ctx.signal?.aborted) throw new LocalStepError('AbortError', 'The run was cancelled')
    await emit({ runId, phase: 'step', step, status: 'started' })
    const outcome = await body()
    if ('skipped' in outcome) await emit({ runId, phase: 'step', step, status: 'skipped', detail: outcome.skipped })
    else await emit({ runId, phase: 'step', step, status: 'done', detail: outcome.done })
  }

  try {
    const result = await runSteps(local.plan, facts, ctx, run, runStep)
    await run.finish()
    await emit({ runId, phase: 'finished', outcome: 'provisioned' })
    return result
  } catch (err) {
    // What the batch remembered may be why this run failed: the next run asks AWS again.
    ctx.batchFacts?.forget()
    const { errorName, message } = describeStepFailure(err, currentStep, ctx.unexpectedErrors)
    await emit({ runId, phase: 'failed', step: currentStep, errorName, message })
    const undo = await undoRun({ iot: ctx.iot, vault: ctx.vault, run, emit })
    await emit({ runId, phase: 'finished', outcome: 'rolledBack' })
    throw new ProvisioningError(currentStep, errorName, message, undo, runId)
  }
}

async function runSteps(plan: ProvisionPlan, facts: PlanFacts, ctx: ProvisionContext, run: JournalRun, runStep: StepRunner): Promise<ProvisionResult> {
  const { iot } = ctx
  const reused: string[] = []
  const certificate = await issueCertificate(plan, ctx, run, runStep)

  let thingArn = facts.existingThing?.thingArn ?? ''
  await runStep('createThing', async () => {
    if (facts.existingThing) {
      reused.push(`thing ${plan.thingName}`)
      return { skipped: `thing ${plan.thingName} exists with the same type and attributes: reused` }
    }
    const hasAttributes = Object.keys(plan.attributes).length > 0
    const out = await journaledWrite(run, 'createThing', { kind: 'thing', thingName: plan.thingName }, () =>
      iot.send(
        new CreateThingCommand({
          thingName: plan.thingName,
          thingTypeName: plan.thingTypeName,
          ...(hasAttributes ? { attributePayload: { attributes: plan.attributes } } : {})
        })
      )
    )
    thingArn = out.thingArn ?? ''
    return { done: thingArn }
  })

  const policyName = facts.policyName
  await runStep('createPolicy', async () => {
    if (plan.policy.mode === 'none' || !policyName) return { skipped: 'no policy in the plan' }
    if (plan.policy.mode === 'existing') return { skipped: `uses the existing policy ${policyName}` }
    if (facts.existingPolicy) {
      reused.push(`policy ${policyName}`)
      return { skipped: `policy ${policyName} exists with the same document: reused` }
    }
    const document =
      plan.policy.mode === 'document' ? plan.policy.document : renderPolicyTemplate(plan.policy.template, policyVarsFromArn(certificate.certificateArn))
    const created = await createPolicyOrReuse(ctx, run, policyName, document)
    if (!created) {
      reused.push(`policy ${policyName}`)
      return { skipped: `policy ${policyName} appeared meanwhile with the same document: reused` }
    }
    return { done: policyName }
  })

  await runStep('attachPolicy', async () => {
    if (!policyName) return { skipped: 'no policy in the plan' }
    await journaledWrite(run, 'attachPolicy', { kind: 'attachPolicy', policyName, target: certificate.certificateArn }, () =>
      iot.send(new AttachPolicyCommand({ policyName, target: certificate.certificateArn }))
    )
    return { done: `${policyName} -> ${certificate.certificateId}` }
  })

  await runStep('attachThingPrincipal', async () => {
    await journaledWrite(run, 'attachThingPrincipal', { kind: 'attachThingPrincipal', thingName: plan.thingName, principal: certificate.certificateArn }, () =>
      iot.send(new AttachThingPrincipalCommand({ thingName: plan.thingName, principal: certificate.certificateArn }))
    )
    return { done: `${certificate.certificateId} -> ${plan.thingName}` }
  })

  await runStep('addToGroups', async () => {
    if (!plan.groups.length) return { skipped: 'no groups in the plan' }
    const added: string[] = []
    for (const groupName of plan.groups) {
      if (ctx.signal?.aborted) throw new LocalStepError('AbortError', 'The run was cancelled')
      if (facts.groupsAlreadyJoined.includes(groupName)) {
        reused.push(`membership of ${groupName}`)
        continue
      }
      await journaledWrite(run, 'addToGroups', { kind: 'addToGroup', thingName: plan.thingName, groupName }, () =>
        iot.send(new AddThingToThingGroupCommand({ thingName: plan.thingName, thingGroupName: groupName }))
      )
      added.push(groupName)
    }
    return added.length ? { done: added.join(', ') } : { skipped: `already in ${plan.groups.join(', ')}` }
  })

  return {
    runId: run.runId,
    thingName: plan.thingName,
    thingArn,
    certificateId: certificate.certificateId,
    certificateArn: certificate.certificateArn,
    certificatePem: certificate.certificatePem,
    ...(policyName ? { policyName } : {}),
    groups: [...plan.groups],
    privateKeyInVault: certificate.privateKeyInVault,
    reused
  }
}

/**
 * Creates the policy; if one of that name appeared since the checks, reuses it when its document
 * is the same and fails clearly when it differs. Returns false when reused.
 */
async function createPolicyOrReuse(ctx: ProvisionContext, run: JournalRun, policyName: string, document: string): Promise<boolean> {
  try {
    await journaledWrite(run, 'createPolicy', { kind: 'policy', policyName }, () =>
      ctx.iot.send(new CreatePolicyCommand({ policyName, policyDocument: document }))
    )
    return true
  } catch (err) {
    if (errorNameAndMessage(err).errorName !== 'ResourceAlreadyExistsException') throw err
    const existing = await ctx.iot.send(new GetPolicyCommand({ policyName }))
    if (samePolicyDocument(existing.policyDocument ?? '', document)) return false
    throw new LocalStepError('ResourceAlreadyExistsException', differentPolicyMessage(policyName))
  }
}

/** A plan that keeps the existing certificate's key needs that key, and it must be the certificate's own: checked before any write. */
function keptKeyProblem(plan: ProvisionPlan, key: string | undefined): PlanProblem | null {
  if (plan.certificate.mode !== 'existing' || !plan.certificate.keepPrivateKey) return null
  const path = 'certificate.keepPrivateKey'
  if (!key) return { path, message: 'There is no private key to keep: read the certificate from a file that also holds its key, or do not ask to keep one' }
  let matches: boolean
  try {
    matches = certificateMatchesKey(plan.certificate.certificatePem, key)
  } catch (err) {
    return { path, message: `The private key to keep cannot be read: ${(err as Error).message}` }
  }
  return matches ? null : { path, message: 'The private key to keep does not belong to this certificate: nothing was done' }
}
