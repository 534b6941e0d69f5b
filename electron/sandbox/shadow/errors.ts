import { IotError } from '../http/iotError'
import type { JsonObject } from './json'

// The shadow service's refusals (research/iot-core.md §1.3, mqtt-shadow.md §5). One error serves
// both wires: over HTTP it is an IotError (status, `x-amzn-ErrorType` name, `message`), over MQTT it
// becomes the `/rejected` payload `{code, message, timestamp?, clientToken?}`.

export type ShadowErrorCode = 400 | 404 | 409 | 413 | 415 | 429 | 500

const EXCEPTION_NAMES: Record<ShadowErrorCode, string> = {
  400: 'InvalidRequestException',
  404: 'ResourceNotFoundException',
  409: 'ConflictException',
  413: 'RequestEntityTooLargeException',
  415: 'UnsupportedDocumentEncodingException',
  429: 'ThrottlingException',
  500: 'InternalFailureException'
}

// Real AWS captures of 404 and 409 carry no timestamp (`{"code":404,"message":"No shadow exists with
// name: 'x'"}`, `{"code":409,"message":"Version conflict","clientToken":"…"}`); the documented error
// document has one, and AWS says it is "not present in all error responses".
const CODES_WITHOUT_TIMESTAMP: ReadonlySet<ShadowErrorCode> = new Set([404, 409])

export class ShadowError extends IotError {
  constructor(
    readonly code: ShadowErrorCode,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(EXCEPTION_NAMES[code], code, message)
    if (options?.cause !== undefined) this.cause = options.cause
  }

  /** The MQTT `/rejected` payload. */
  rejectedPayload(timestamp: number, clientToken: string | undefined): JsonObject {
    const payload: JsonObject = { code: this.code, message: this.message }
    if (!CODES_WITHOUT_TIMESTAMP.has(this.code)) payload.timestamp = timestamp
    if (clientToken !== undefined) payload.clientToken = clientToken
    return payload
  }
}

// AWS's exact texts (DG device-shadow-error-messages).
export const shadowErrors = {
  invalidJson: () => new ShadowError(400, 'Invalid JSON'),
  missingState: () => new ShadowError(400, 'Missing required node: state'),
  stateNotObject: () => new ShadowError(400, 'State node must be an object'),
  desiredNotObject: () => new ShadowError(400, 'Desired node must be an object'),
  reportedNotObject: () => new ShadowError(400, 'Reported node must be an object'),
  invalidVersion: () => new ShadowError(400, 'Invalid version'),
  invalidClientToken: () => new ShadowError(400, 'Invalid clientToken'),
  tooDeep: (maxDepth: number) => new ShadowError(400, `JSON contains too many levels of nesting; maximum is ${maxDepth}`),
  invalidStateNode: (key: string) => new ShadowError(400, `State contains an invalid node: '${key}'`),
  invalidName: (message: string) => new ShadowError(400, message),
  /** For a classic shadow AWS names the thing, for a named shadow the shadow name. */
  noShadow: (name: string) => new ShadowError(404, `No shadow exists with name: '${name}'`),
  versionConflict: () => new ShadowError(409, 'Version conflict'),
  tooLarge: () => new ShadowError(413, 'The payload exceeds the maximum size allowed'),
  // "documented" (sic) is AWS's spelling.
  notUtf8: () => new ShadowError(415, 'Unsupported documented encoding; supported encoding is UTF-8'),
  /** Over the per-thing request rate (research/iot-core.md §5.2), only when the sandbox throttles. */
  throttled: () => new ShadowError(429, 'Too Many Requests'),
  internalFailure: (cause: unknown) => new ShadowError(500, 'Internal service failure', { cause })
}
