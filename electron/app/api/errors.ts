import { isUnexpectedError, unexpectedErrorAnswer, type UnexpectedErrorHandler } from '../../contract'
import { describeAwsError } from '../../core/aws'
import type { AppLog } from '../../core/logging'

/** A failure the UI shows as is: AWS's exception name (or a ThingBench one) and a readable message. */
export class BackendError extends Error {
  constructor(
    readonly errorName: string,
    message: string
  ) {
    super(message)
    this.name = errorName
  }
}

/** Arguments that passed the contract's schema but break an AWS rule the schema cannot express. */
export function invalidArguments(method: string, field: string, message: string): BackendError {
  return new BackendError('InvalidArguments', `${method}: ${field}: ${message}`)
}

/**
 * Gives whatever a handler threw the name the UI shows: errors that carry one keep it; AWS SDK,
 * network and credential errors get AWS's exception name and a message that says what to do.
 * Anything else (a TypeError, a plain Error) stays as it is: the bridge reports it as unexpected.
 */
export function readableError(error: unknown): unknown {
  if (error instanceof Error && typeof (error as { errorName?: unknown }).errorName === 'string') return error
  const described = describeAwsError(error)
  // A network failure often arrives as a TypeError ("fetch failed") with the cause inside.
  if (described.errorName !== 'NetworkError' && isUnexpectedError(error)) return error
  return new BackendError(described.errorName, described.message)
}

/**
 * The dispatcher's answer to an unexpected failure: logged with its stack (never shown raw), and a
 * message that says what happened and which log file holds the details.
 */
export function loggedUnexpectedErrors(log: AppLog): UnexpectedErrorHandler {
  return (method, error) => {
    log.logger.error({ err: error, method }, `${method} failed unexpectedly`)
    return unexpectedErrorAnswer(method, error, log.currentFile())
  }
}
