import { javaScriptErrorNames, unexpectedErrorAnswer, type ProvisionStep } from '../../contract'
import type { Log } from '../../shared/log'
import { describeAwsError } from '../aws'

/** One problem with a plan: where in the plan (dotted path, '' for the whole plan) and what to do. */
export interface PlanProblem {
  path: string
  message: string
}

/** The outcome of one undo action after a failed (or interrupted) run. */
export interface UndoActionOutcome {
  action: string
  status: 'done' | 'failed'
  detail?: string
}

export interface UndoOutcome {
  /** True when everything the run created is gone again. */
  complete: boolean
  actions: UndoActionOutcome[]
  /** What could not be undone and needs a person's attention, in plain words. */
  leftBehind: string[]
}

/** A plan refused before any write call: nothing was changed. */
export class PlanRefusedError extends Error {
  readonly errorName = 'PlanRefused'
  constructor(readonly problems: PlanProblem[]) {
    super(`The plan was refused and nothing was changed: ${problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`)
    this.name = 'PlanRefusedError'
  }
}

/** A run that failed at a step; what it had done was undone (see `undo`). */
export class ProvisioningError extends Error {
  constructor(
    readonly step: ProvisionStep,
    /** AWS's exception name (e.g. ResourceNotFoundException), or a ThingBench name for local failures. */
    readonly errorName: string,
    readonly awsMessage: string,
    readonly undo: UndoOutcome,
    readonly runId: string
  ) {
    super(
      `Provisioning failed at ${step}: ${errorName}: ${awsMessage}. ` +
        (undo.complete ? 'Everything this run created was undone.' : `Undo incomplete: ${undo.leftBehind.join('; ')}`)
    )
    this.name = 'ProvisioningError'
  }
}

/** A deprovision target that does not exist. */
export class ThingNotFoundError extends Error {
  readonly errorName = 'ResourceNotFoundException'
  constructor(readonly thingName: string) {
    super(`Thing ${thingName} was not found: check the name and the connection (region, account)`)
    this.name = 'ThingNotFoundError'
  }
}

/** A failure raised by the engine itself (not AWS), carrying a stable name like AWS's. */
export class LocalStepError extends Error {
  constructor(
    readonly errorName: string,
    message: string
  ) {
    super(message)
    this.name = errorName
  }
}

/** AWS's error name and message for anything thrown by the SDK, the vault or the engine. */
export function errorNameAndMessage(err: unknown): { errorName: string; message: string } {
  if (err instanceof LocalStepError) return { errorName: err.errorName, message: err.message }
  const described = describeAwsError(err)
  return { errorName: described.errorName, message: described.message }
}

/** Where a run reports a bug (a TypeError in a step): the log, and how to name it to the user. */
export interface UnexpectedErrorLog {
  log: Log
  /** Shown in the message, e.g. the log file's path. */
  detailsAt: string
}

/**
 * Why a step failed, as the user reads it: AWS's (or ThingBench's) error name and message; for a bug,
 * a readable line that says where its stack was logged, instead of the raw TypeError text.
 */
export function describeStepFailure(err: unknown, step: ProvisionStep, unexpected?: UnexpectedErrorLog): { errorName: string; message: string } {
  const described = errorNameAndMessage(err)
  if (!javaScriptErrorNames.has(described.errorName)) return described
  unexpected?.log.error({ err, step }, `Provisioning step ${step} failed unexpectedly`)
  return unexpectedErrorAnswer(`the ${step} step`, err, unexpected?.detailsAt)
}

/** True for AWS's "it is not there" answers, which an undo treats as already done. */
export function isNotFound(err: unknown): boolean {
  return errorNameAndMessage(err).errorName === 'ResourceNotFoundException'
}

/** A deprovision that stopped at a call; `completed` lists the calls made before it. */
export class DeprovisionError extends Error {
  constructor(
    readonly failedCall: { operation: string; target: string },
    readonly errorName: string,
    readonly awsMessage: string,
    readonly completed: Array<{ operation: string; target: string }>
  ) {
    super(
      `Deprovisioning stopped at ${failedCall.operation} ${failedCall.target}: ${errorName}: ${awsMessage}. ` +
        `${completed.length} call(s) were made before it; running deprovision again continues from there`
    )
    this.name = 'DeprovisionError'
  }
}
