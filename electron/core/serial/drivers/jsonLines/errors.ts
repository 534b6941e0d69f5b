// Why a request to a JSON-lines device did not succeed, each in words a technician can act on.

export class JsonLinesTimeoutError extends Error {
  override readonly name = 'JsonLinesTimeoutError'
  constructor(readonly request: string, readonly id: string, readonly timeoutMs: number) {
    super(`The device did not answer "${request}" (id ${id}) within ${timeoutMs} ms: it may have stopped, reset, or be at another baud rate.`)
  }
}

export class JsonLinesClosedError extends Error {
  override readonly name = 'JsonLinesClosedError'
  constructor(readonly request: string, readonly id: string | undefined, cause?: Error) {
    const which = id === undefined ? `"${request}"` : `"${request}" (id ${id})`
    super(`The port closed before ${which} was answered${cause ? ` (${cause.message})` : ''}: was the cable pulled or the board reset? Reopen the port and send it again.`)
  }
}

export class JsonLinesWriteError extends Error {
  override readonly name = 'JsonLinesWriteError'
  constructor(readonly request: string, readonly id: string, cause: Error) {
    super(`Writing "${request}" (id ${id}) to the port failed: ${cause.message}. Is the device still plugged in?`)
  }
}

/** The device took its identity (provision_commit was acknowledged) but said neither connected nor failed in time. */
export class JsonLinesConnectTimeoutError extends Error {
  override readonly name = 'JsonLinesConnectTimeoutError'
  constructor(readonly timeoutMs: number) {
    super(`The device stored its identity but did not say whether it connected within ${timeoutMs} ms: check its network and the endpoint.`)
  }
}

/** The device answered with an `error` message. */
export class JsonLinesDeviceError extends Error {
  override readonly name = 'JsonLinesDeviceError'
  constructor(readonly request: string, readonly id: string, readonly code: string, readonly detail: string | undefined) {
    super(`The device refused "${request}" (id ${id}) with ${code}${detail ? `: ${detail}` : ''}.`)
  }
}

/** The device answered, but not with what the request waits for (an ack to `get`, say). */
export class JsonLinesUnexpectedReplyError extends Error {
  override readonly name = 'JsonLinesUnexpectedReplyError'
  constructor(readonly request: string, readonly id: string, got: string, expected: string) {
    super(`The device answered "${request}" (id ${id}) with a "${got}" message where "${expected}" was expected: its firmware does not follow the JSON-lines protocol.`)
  }
}
