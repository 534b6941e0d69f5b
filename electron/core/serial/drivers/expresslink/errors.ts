import { explainError, explainHint } from './codes'

// Why an AT command did not succeed, each naming the command and what to do. The module's own
// code (and CONNECT hint) stays on the error for code that needs to branch on it.

/** The module answered `ERR{code} …`. */
export class ExpressLinkCommandError extends Error {
  override readonly name = 'ExpressLinkCommandError'
  /** The module's text after the code, e.g. `UNKNOWN KEY` or `5 UNABLE TO CONNECT Not authorized`. */
  readonly moduleText: string
  /** For ERR14: how far the connection got (`5`, or a vendor's `5.1`). */
  readonly hint?: string

  constructor(readonly command: string, readonly code: number, rest: string) {
    const hint = code === 14 ? /^(\d+(?:\.\d+)*)\b/.exec(rest)?.[1] : undefined
    const { text, explanation } = explainError(code)
    const because = hint === undefined ? explanation : `${explanation} — hint ${hint} (${explainHint(hint).text}): ${explainHint(hint).explanation}`
    super(`${command} failed with ERR${code} ${text}: ${because}.${rest && !rest.startsWith(text) && hint === undefined ? ` The module said: "${rest}".` : ''}`)
    this.moduleText = rest
    if (hint !== undefined) this.hint = hint
  }
}

export class ExpressLinkTimeoutError extends Error {
  override readonly name = 'ExpressLinkTimeoutError'
  constructor(readonly command: string, readonly timeoutMs: number, partial: string | undefined) {
    super(
      `The module did not answer ${command} within ${timeoutMs} ms${partial ? ` (it sent only part of a reply: "${partial}")` : ''}: it may have stopped, reset or be at another baud rate (ExpressLink is 115200 8N1). The next command goes ahead on a flushed line.`
    )
  }
}

export class ExpressLinkClosedError extends Error {
  override readonly name = 'ExpressLinkClosedError'
  constructor(readonly command: string, cause?: Error) {
    super(`The port closed before ${command} was answered${cause ? ` (${cause.message})` : ''}: was the cable pulled or the module reset? Reopen the port and send it again.`)
  }
}

export class ExpressLinkWriteError extends Error {
  override readonly name = 'ExpressLinkWriteError'
  constructor(readonly command: string, cause: Error) {
    super(`Writing ${command} to the port failed: ${cause.message}. Is the module still plugged in?`)
  }
}

/** The module answered, but not in a form the spec allows (a result that cannot be read). */
export class ExpressLinkProtocolError extends Error {
  override readonly name = 'ExpressLinkProtocolError'
  constructor(readonly command: string, detail: string) {
    super(`The module's answer to ${command} does not follow the ExpressLink specification: ${detail}.`)
  }
}
