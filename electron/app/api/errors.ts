import { describeAwsError } from '../../core/aws'

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
 * Anything else stays as it is (the bridge reports it as an InternalError).
 */
export function readableError(error: unknown): unknown {
  if (error instanceof Error && typeof (error as { errorName?: unknown }).errorName === 'string') return error
  const described = describeAwsError(error)
  if (described.errorName === 'Error') return error
  return new BackendError(described.errorName, described.message)
}
