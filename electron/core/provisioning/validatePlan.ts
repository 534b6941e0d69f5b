import { provisionPlanSchema, type ProvisionPlan } from '../../contract'
import { parseCertificate } from '../certificates'
import type { PlanProblem } from './errors'
import { policyDocumentProblem } from './policyDocument'

export type PlanValidation = { ok: true; plan: ProvisionPlan } | { ok: false; problems: PlanProblem[] }

/**
 * Everything that can be checked without AWS: the plan's shape and AWS's name rules (zod), the
 * policy document, and an existing certificate (parses, not expired). No calls are made.
 */
export function validatePlan(input: unknown, now: Date = new Date()): PlanValidation {
  const parsed = provisionPlanSchema.safeParse(input)
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }))
    }
  const plan = parsed.data
  const problems: PlanProblem[] = []

  if (plan.policy.mode === 'document') {
    const problem = policyDocumentProblem(plan.policy.document)
    if (problem) problems.push({ path: 'policy.document', message: problem })
  }
  if (plan.certificate.mode === 'existing') {
    const problem = existingCertificateProblem(plan.certificate.certificatePem, now)
    if (problem) problems.push({ path: 'certificate.certificatePem', message: problem })
  }
  return problems.length ? { ok: false, problems } : { ok: true, plan }
}

function existingCertificateProblem(pem: string, now: Date): string | null {
  // The plan is what goes to AWS: a key must never be in it (the back end keeps it apart, see splitCertificateFile).
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem))
    return 'The certificate text also holds a private key, which must never be sent to AWS: give the certificate blocks only (ThingBench reads a file with both and keeps the key in the vault when asked)'
  let notAfter: Date
  try {
    notAfter = new Date(parseCertificate(pem).notAfter)
  } catch (err) {
    return `The certificate could not be read (${(err as Error).message}); give the device certificate as PEM ("-----BEGIN CERTIFICATE-----")`
  }
  if (notAfter.getTime() <= now.getTime())
    return `The certificate expired on ${notAfter.toISOString()}; AWS refuses expired certificates (CertificateValidationException). Issue a new certificate for the device`
  return null
}
