/**
 * What the Local IoT Core and the services write to the log: pino's Logger fits it, and the Node
 * entry points hand theirs in (electron/core/logging). Details first, then the message.
 */
export interface Log {
  error(details: object, message: string): void
  warn(details: object, message: string): void
  info(details: object, message: string): void
}

/** A Log that drops everything, for callers that were given none. */
export const silentLog: Log = { error() {}, warn() {}, info() {} }
