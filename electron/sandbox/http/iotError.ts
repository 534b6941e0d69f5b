/**
 * An error the way AWS IoT reports it: the exception name travels in the `x-amzn-ErrorType`
 * header and the body, the SDK turns it into an exception class of that name.
 */
export class IotError extends Error {
  constructor(
    readonly errorName: string,
    readonly status: number,
    message: string,
    /** Extra members of the error body, e.g. `resourceId`/`resourceArn` of ResourceAlreadyExistsException. */
    readonly extra: Record<string, unknown> = {}
  ) {
    super(message)
    this.name = errorName
  }
}

/** The JSON body AWS sends with an error: its extra members (those set) and `message`. */
export function errorBody(error: IotError): Record<string, unknown> {
  const extra = Object.fromEntries(Object.entries(error.extra).filter(([, value]) => value !== undefined))
  return { ...extra, message: error.message }
}

export const invalidRequest = (message: string): IotError => new IotError('InvalidRequestException', 400, message)
export const notFound = (message: string): IotError => new IotError('ResourceNotFoundException', 404, message)
export const alreadyExists = (message: string, resourceId?: string, resourceArn?: string): IotError =>
  new IotError('ResourceAlreadyExistsException', 409, message, { resourceId, resourceArn })
export const deleteConflict = (message: string): IotError => new IotError('DeleteConflictException', 409, message)
export const versionConflict = (message: string): IotError => new IotError('VersionConflictException', 409, message)
export const limitExceeded = (message: string): IotError => new IotError('LimitExceededException', 410, message)
export const certificateState = (message: string): IotError => new IotError('CertificateStateException', 406, message)
export const malformedPolicy = (message: string): IotError => new IotError('MalformedPolicyException', 400, message)
