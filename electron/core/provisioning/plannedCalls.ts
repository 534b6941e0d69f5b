import type { KeyAlgorithm, PlannedCall, ProvisionPlan } from '../../contract'
import { parseCertificate } from '../certificates'
import type { PlanFacts } from './preflight'

/** How a call names the certificate a run is about to create (its id is known only afterwards). */
export const newCertificateTarget = '(new certificate)'

/**
 * How a call names a certificate registered from a file before the service has named it: by the SHA-256
 * of its DER, which is AWS's id for it (other services, such as moto, choose their own).
 */
export const existingCertificateTarget = (certificatePem: string): string =>
  `(the file's certificate, SHA-256 ${parseCertificate(certificatePem).certificateId})`

const keyLabels: Record<KeyAlgorithm, string> = { ec: 'EC P-256', rsa2048: 'RSA 2048', rsa3072: 'RSA 3072' }

/**
 * The AWS write calls a run of `plan` will make, in order, given what the read-only checks found
 * (`facts`), and what it reuses instead of creating. Mirrors provision.ts and certificateSteps.ts:
 * reads, and the GetPolicy a run makes only when a policy appears meanwhile, are not listed.
 * Targets are written like deprovision's: the resource, then the other party or the new status.
 */
export function plannedCalls(plan: ProvisionPlan, facts: PlanFacts): { calls: PlannedCall[]; reused: string[] } {
  const calls: PlannedCall[] = []
  const reused: string[] = []
  const call = (operation: string, target: string) => calls.push({ operation, target })

  const choice = plan.certificate
  const certificate = choice.mode === 'existing' ? existingCertificateTarget(choice.certificatePem) : newCertificateTarget
  if (choice.mode === 'csr') call('CreateCertificateFromCsr', `${keyLabels[choice.keyAlgorithm]} key made on this machine, INACTIVE`)
  else if (choice.mode === 'aws') call('CreateKeysAndCertificate', 'key pair made by AWS, INACTIVE')
  else call('RegisterCertificateWithoutCA', `${certificate} INACTIVE`)
  call('UpdateCertificate', `${certificate} ACTIVE`)

  if (facts.existingThing) reused.push(`thing ${plan.thingName}`)
  else call('CreateThing', plan.thingName)

  const policyName = facts.policyName
  if (policyName && (plan.policy.mode === 'template' || plan.policy.mode === 'document')) {
    if (facts.existingPolicy) reused.push(`policy ${policyName}`)
    else call('CreatePolicy', policyName)
  }
  if (policyName) call('AttachPolicy', `${policyName} ${certificate}`)

  call('AttachThingPrincipal', `${plan.thingName} ${certificate}`)

  for (const groupName of plan.groups) {
    if (facts.groupsAlreadyJoined.includes(groupName)) reused.push(`membership of ${groupName}`)
    else call('AddThingToThingGroup', `${plan.thingName} ${groupName}`)
  }
  return { calls, reused }
}
