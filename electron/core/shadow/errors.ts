import type { ShadowDocument, ShadowUpdateRequest } from './document'

// How the shadow client fails. A refusal by the shadow service carries AWS's exception name and
// HTTP code (an MQTT `/rejected` payload has only the code, so the name is looked up from it, as the
// HTTP API names it); failures on this side (no answer, connection closed) have names of their own.

export type ShadowVia = 'mqtt' | 'http'

/** AWS's data-plane exception for each code a shadow service refusal can carry (research/mqtt-shadow.md §5). */
const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  400: 'InvalidRequestException',
  401: 'UnauthorizedException',
  403: 'ForbiddenException',
  404: 'ResourceNotFoundException',
  405: 'MethodNotAllowedException',
  409: 'ConflictException',
  413: 'RequestEntityTooLargeException',
  415: 'UnsupportedDocumentEncodingException',
  429: 'ThrottlingException',
  500: 'InternalFailureException',
  503: 'ServiceUnavailableException'
}

export function exceptionNameForCode(code: number): string {
  return EXCEPTION_NAMES[code] ?? `ShadowError${code}`
}

export class ShadowError extends Error {
  /**
   * @param errorName AWS's exception name (ConflictException…), or this client's own for failures
   *   that never reached the service: RequestTimeout, ConnectionClosed, NotAvailableOverMqtt, InvalidResponse.
   * @param code the HTTP status / MQTT `code` when the service answered.
   */
  constructor(
    readonly errorName: string,
    message: string,
    readonly via: ShadowVia,
    readonly code?: number,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = errorName
  }
}

/**
 * A 409: the shadow was not at the version the update named. Carries both sides so a UI can merge:
 * what the caller tried to write and the shadow as it is now (null if it no longer exists).
 */
export class ShadowConflictError extends ShadowError {
  constructor(
    message: string,
    via: ShadowVia,
    readonly attempted: ShadowUpdateRequest,
    readonly current: ShadowDocument | null
  ) {
    super('ConflictException', message, via, 409)
  }
}
