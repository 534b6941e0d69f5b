// The provisioning engine: plan validation, the run with undo, the crash journal, recovery, deprovision.
export { validatePlan, type PlanValidation } from './validatePlan'
export { checkPlanAgainstAws, plannedPolicyName, templatePolicyName, type PlanCheck, type PlanFacts } from './preflight'
export { policyDocumentProblem, samePolicyDocument } from './policyDocument'
export { provision } from './provision'
export { plannedCalls, newCertificateTarget } from './plannedCalls'
export { BatchFacts } from './batchFacts'
export type { ProvisionContext, ProvisioningHooks, WritePoint } from './runContext'
export { Journal, JournalRun, type JournalAction, type JournalEntry, type JournalRecord, type UnreadableJournal } from './journal'
export { recoverInterruptedRuns, type RecoveryContext, type RecoveryReport } from './recovery'
export { deprovision, type DeprovisionContext, type DeprovisionRequest, type DeprovisionResult } from './deprovision'
export {
  DeprovisionError,
  PlanRefusedError,
  ProvisioningError,
  ThingNotFoundError,
  type PlanProblem,
  type UndoActionOutcome,
  type UndoOutcome,
  type UnexpectedErrorLog
} from './errors'
