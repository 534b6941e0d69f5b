import { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import { ExpressLinkClosedError, ExpressLinkCommandError, ExpressLinkProtocolError, ExpressLinkTimeoutError, ExpressLinkWriteError } from './errors'

// The AT line discipline on any Duplex byte stream (an open SerialPort is one), research §4 and §14:
// one command in flight, the first answer line classified (OK, OK{n}, ERR{code}), exactly n more
// lines read for `OK{n}`. Nothing the module sends can throw here: a line that is not an answer
// (boot noise, garbage, a late answer to a command that timed out) becomes a `diagnostic` and is
// dropped, so it changes nothing.

export interface AtResponse {
  /** What follows `OK` on the first line (`OK 1 CONNECTED` → `1 CONNECTED`), still escaped. */
  detail: string
  /** The `n` further lines of an `OK{n}` answer. */
  lines: string[]
}

export type AtDiagnosticKind = 'noise' | 'lateAnswer' | 'tooLong' | 'portError'

export interface AtDiagnostic {
  kind: AtDiagnosticKind
  message: string
}

export interface AtTraffic {
  direction: 'in' | 'out'
  text: string
}

export interface AtChannelEvents {
  diagnostic: [AtDiagnostic]
  traffic: [AtTraffic]
  closed: [{ error?: Error }]
}

interface InFlight {
  command: string
  first?: string
  detail?: string
  expectedLines: number
  lines: string[]
  timer: NodeJS.Timeout
  lineCheck: NodeJS.Timeout
  resolve(response: AtResponse): void
  reject(error: Error): void
}

/** A line the module cannot have meant as an answer is shown at most this long. */
const SHOWN_CHARS = 80
/** Longer than any answer the spec allows (9 KB commands, 8 KB shadow documents escaped). */
const MAX_LINE_CHARS = 64 * 1024
/**
 * While a command waits, a bare line ending is written this often: the module discards extra EOLs
 * (research §3), but a pty or USB port whose device has gone fails the write, which is how a
 * pulled cable is noticed mid-command when the read side reports nothing.
 */
const LINE_CHECK_MS = 1_000
/** Config keys whose value must not appear in the traffic log. */
const SECRET_KEYS = /^(AT\+CONF\s+Passphrase=).*/i

/** Mostly unprintable bytes on a line: what a host at the wrong baud rate sees. */
function baudNote(text: string): string {
  const unprintable = text.replace(/[\x20-\x7e\t]/g, '').length
  return text.length >= 4 && unprintable / text.length > 0.3 ? ' It is mostly unprintable bytes: is the port at another baud rate? ExpressLink is fixed at 115200 8N1.' : ''
}

function shown(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return printable.length > SHOWN_CHARS ? `${printable.slice(0, SHOWN_CHARS)}…` : printable
}

export class AtChannel extends EventEmitter<AtChannelEvents> {
  private buffer = ''
  private inFlight: InFlight | undefined
  private tail: Promise<unknown> = Promise.resolve()
  private closedBy: { error?: Error } | undefined
  private readonly onData = (chunk: Buffer | string): void => this.receive(typeof chunk === 'string' ? chunk : chunk.toString('latin1'))
  private readonly onClose = (): void => this.close()
  private readonly onError = (error: Error): void => {
    this.emit('diagnostic', { kind: 'portError', message: `The port reported an error: ${error.message}.` })
    this.close(error)
  }

  constructor(private readonly stream: Duplex) {
    super()
    stream.on('data', this.onData)
    stream.on('close', this.onClose)
    // A pty whose other end vanished may read as end-of-file rather than fail: that is a pulled cable too.
    stream.on('end', this.onClose)
    stream.on('error', this.onError)
  }

  get isClosed(): boolean {
    return this.closedBy !== undefined
  }

  /** Queues `command` (without its line ending) and resolves with the module's OK answer. */
  send(command: string, timeoutMs: number): Promise<AtResponse> {
    const run = this.tail.then(() => this.run(command, timeoutMs))
    this.tail = run.catch(() => undefined)
    return run
  }

  /** Stops listening to the stream (the stream itself belongs to the port's owner). */
  detach(): void {
    this.stream.off('data', this.onData)
    this.stream.off('close', this.onClose)
    this.stream.off('end', this.onClose)
    this.stream.off('error', this.onError)
    this.close()
  }

  private run(line: string, timeoutMs: number): Promise<AtResponse> {
    // Errors and the traffic log name the command, shortened, and never show a passphrase.
    const hidden = line.replace(SECRET_KEYS, '$1[not shown]')
    const command = hidden.length > SHOWN_CHARS ? `${hidden.slice(0, SHOWN_CHARS)}…` : hidden
    if (this.closedBy) return Promise.reject(new ExpressLinkClosedError(command, this.closedBy.error))
    // §14: flush before sending, so a late answer to an earlier command is not taken for this one's.
    if (this.buffer.trim()) this.emit('diagnostic', { kind: 'noise', message: `Dropped an unfinished line before ${command}: "${shown(this.buffer)}".` })
    this.buffer = ''
    return new Promise<AtResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        const partial = this.inFlight?.first ?? (this.buffer || undefined)
        this.finish(new ExpressLinkTimeoutError(command, timeoutMs, partial))
      }, timeoutMs)
      const lineCheck = setInterval(() => {
        this.stream.write('\r\n', (error) => {
          if (error) this.close(error)
        })
      }, LINE_CHECK_MS)
      this.inFlight = { command, expectedLines: 0, lines: [], timer, lineCheck, resolve, reject }
      this.emit('traffic', { direction: 'out', text: hidden })
      this.stream.write(`${line}\r\n`, (error) => {
        if (error && this.inFlight?.command === command) this.finish(new ExpressLinkWriteError(command, error))
      })
    })
  }

  private finish(outcome: Error | AtResponse): void {
    const current = this.inFlight
    if (!current) return
    this.inFlight = undefined
    clearTimeout(current.timer)
    clearInterval(current.lineCheck)
    if (outcome instanceof Error) current.reject(outcome)
    else current.resolve(outcome)
  }

  private receive(text: string): void {
    this.buffer += text
    for (let end = this.buffer.search(/[\r\n]/); end !== -1; end = this.buffer.search(/[\r\n]/)) {
      const line = this.buffer.slice(0, end)
      this.buffer = this.buffer.slice(end + 1)
      if (line.trim()) this.line(line)
    }
    if (this.buffer.length > MAX_LINE_CHARS) {
      this.emit('diagnostic', { kind: 'tooLong', message: `Dropped ${this.buffer.length} characters that never ended in a line break: binary noise, or the wrong baud rate?` })
      this.buffer = ''
    }
  }

  private line(raw: string): void {
    this.emit('traffic', { direction: 'in', text: raw })
    const current = this.inFlight
    if (!current) {
      this.emit('diagnostic', { kind: 'lateAnswer', message: `The module sent "${shown(raw)}" when no command was waiting (a late answer, boot output or noise); ignored.${baudNote(raw)}` })
      return
    }
    if (current.first !== undefined) {
      current.lines.push(raw)
      if (current.lines.length === current.expectedLines) this.finish({ detail: current.detail ?? '', lines: current.lines })
      return
    }
    // The spec's classification (research §4): OK, OK detail, OK{n} detail, ERR{code} text.
    const line = raw.replace(/^\s+/, '')
    const ok = /^OK(\d*)(?: (.*))?$/.exec(line)
    if (ok) {
      const expected = ok[1] ? Number(ok[1]) : 0
      if (expected > 10_000) return this.finish(new ExpressLinkProtocolError(current.command, `it announced ${expected} more lines`))
      current.first = line
      current.detail = ok[2] ?? ''
      current.expectedLines = expected
      if (expected === 0) this.finish({ detail: current.detail, lines: [] })
      return
    }
    const err = /^ERR(\d+)(?: (.*))?$/.exec(line)
    if (err) return this.finish(new ExpressLinkCommandError(current.command, Number(err[1]), (err[2] ?? '').trim()))
    this.emit('diagnostic', { kind: 'noise', message: `Ignored a line that is not an ExpressLink answer while waiting for ${current.command}: "${shown(raw)}".${baudNote(raw)}` })
  }

  private close(error?: Error): void {
    if (this.closedBy) return
    this.closedBy = error ? { error } : {}
    const current = this.inFlight
    if (current) this.finish(new ExpressLinkClosedError(current.command, error))
    this.emit('closed', this.closedBy)
  }
}
