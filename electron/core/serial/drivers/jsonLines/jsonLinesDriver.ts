import { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import type { z } from 'zod'
import { BaudCheck, defaultBaudCheck, unprintableCount, type BaudCheckOptions } from './baudCheck'
import { JsonLinesClosedError, JsonLinesConnectTimeoutError, JsonLinesDeviceError, JsonLinesTimeoutError, JsonLinesUnexpectedReplyError, JsonLinesWriteError } from './errors'
import { LineFramer } from './lineFramer'
import {
  deviceMessages,
  maxLineBytes as protocolMaxLineBytes,
  protocolVersion,
  recommendedBaudRate,
  type DeviceConnection,
  type DeviceHello,
  type DeviceLog,
  type DeviceMessageType,
  type DeviceReported,
  type ErrorMessage,
  type HostMessage,
  type HostRequest,
  type ProvisionItem
} from './protocol'

// The JSON-lines driver on any Duplex byte stream (an open SerialPort is one): device lines become
// events, host requests get an id and wait for the answer naming it. Nothing a device sends can
// throw here: bad bytes become a `diagnostic` event, one sentence each, and change nothing else.

export type DiagnosticKind = 'notText' | 'notJson' | 'notMessage' | 'invalidMessage' | 'unknownType' | 'tooLong' | 'partial' | 'wrongBaud' | 'unmatchedReply' | 'portError'

export interface Diagnostic {
  kind: DiagnosticKind
  message: string
  lineNumber?: number
}

export interface Traffic {
  direction: 'in' | 'out'
  /** The line as text; an outgoing private key is replaced by a note of its length. */
  text: string
  lineNumber?: number
}

export interface JsonLinesEvents {
  hello: [DeviceHello]
  reported: [DeviceReported]
  deviceError: [ErrorMessage]
  connection: [DeviceConnection]
  log: [DeviceLog]
  diagnostic: [Diagnostic]
  traffic: [Traffic]
  closed: [{ error?: Error }]
}

/** pino's shape, so the app's logger fits; the driver never passes it a line it sent. */
export interface DriverLog {
  debug(fields: object, message: string): void
  warn(fields: object, message: string): void
}

export interface JsonLinesDriverOptions {
  /** How long a request waits for its answer. */
  requestTimeoutMs?: number
  maxLineBytes?: number
  /** Silence after which an unfinished line is reported and dropped. */
  partialTimeoutMs?: number
  /** The baud rate the port was opened at, for the wrong-baud message. */
  baudRate?: number
  baudCheck?: BaudCheckOptions
  log?: DriverLog
}

/** The provision items `input` makes, in the protocol's order; undefined: not sent (absent, or an open network's passphrase). */
export function provisionItemsOf(input: ProvisionInput): [ProvisionItem, string | undefined][] {
  return [
    ['endpoint', input.endpoint],
    ['thingName', input.thingName],
    ['certificate', input.certificatePem],
    ['privateKey', input.privateKeyPem],
    ['rootCa', input.rootCaPem],
    ['wifiSsid', input.wifi?.ssid],
    ['wifiPassphrase', input.wifi?.passphrase || undefined]
  ]
}

export interface ProvisionInput {
  endpoint: string
  thingName: string
  certificatePem: string
  privateKeyPem: string
  rootCaPem?: string
  /** Sent to firmware with the "wifi" capability only; an empty passphrase (an open network) is not sent. */
  wifi?: { ssid: string; passphrase: string }
}

type Expected = 'ack' | 'hello' | 'reported'

interface Pending {
  request: string
  expects: Expected
  resolve(message: unknown): void
  reject(error: Error): void
  timer: NodeJS.Timeout
}

const excerptLength = 60

function excerpt(text: string): string {
  return JSON.stringify(text.length > excerptLength ? `${text.slice(0, excerptLength)}…` : text)
}

function issuesInWords(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'the message'}: ${issue.message}`)
    .join('; ')
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
const lenientUtf8 = new TextDecoder('utf-8')

export class JsonLinesDriver extends EventEmitter<JsonLinesEvents> {
  private readonly pending = new Map<string, Pending>()
  private readonly framer: LineFramer
  private readonly baudCheck: BaudCheck
  private readonly requestTimeoutMs: number
  private nextId = 1
  private closed = false
  private lastPortError: Error | undefined

  constructor(
    private readonly stream: Duplex,
    private readonly options: JsonLinesDriverOptions = {}
  ) {
    super()
    this.requestTimeoutMs = options.requestTimeoutMs ?? 2_000
    this.baudCheck = new BaudCheck(options.baudCheck ?? defaultBaudCheck)
    this.framer = new LineFramer(
      {
        line: (bytes, n) => this.onLine(bytes, n),
        tooLong: (n, limit) => this.diagnose('tooLong', `line ${n} is longer than ${limit} bytes: dropped up to its end (the protocol's limit; split the message).`, n),
        partial: (bytes, n, ms) =>
          this.diagnose('partial', `line ${n} did not end: ${bytes.length} bytes and then ${ms} ms of silence with no newline, starting ${excerpt(lenientUtf8.decode(bytes))}. Dropped; did the device reset mid-line?`, n)
      },
      options.maxLineBytes ?? protocolMaxLineBytes,
      options.partialTimeoutMs ?? 1_000
    )
    stream.on('data', this.onStreamData)
    stream.on('error', this.onStreamError)
    stream.on('close', this.onStreamClose)
  }

  private readonly onStreamData = (chunk: Buffer | string): void => this.onData(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  private readonly onStreamError = (error: Error): void => {
    this.lastPortError = error
    this.diagnose('portError', `the port reported an error: ${error.message}`)
  }
  private readonly onStreamClose = (): void => this.onClose()

  /** Asks the device who it is. */
  async hello(): Promise<DeviceHello> {
    return (await this.request({ type: 'hello', protocol: protocolVersion }, 'hello')) as DeviceHello
  }

  /** Asks for the device's whole reported state. */
  async get(): Promise<DeviceReported> {
    return (await this.request({ type: 'get' }, 'reported')) as DeviceReported
  }

  /** The whole desired state; resolves when the device acknowledges it (its `reported` follows as an event). */
  async sendDesired(state: Record<string, unknown>, version?: number): Promise<void> {
    await this.request({ type: 'desired', state, ...(version === undefined ? {} : { version }) }, 'ack')
  }

  /** Only what differs between desired and reported (a shadow delta). */
  async sendDelta(state: Record<string, unknown>, version?: number): Promise<void> {
    await this.request({ type: 'delta', state, ...(version === undefined ? {} : { version }) }, 'ack')
  }

  /**
   * Writes the device's identity, one item per message, then commits: the only time a private key
   * leaves the vault, over this cable. Resolves with the device's first `connected` or `failed`.
   * `onStep` hears each item (and the commit) before it is sent, for progress; never its value.
   */
  async provision(input: ProvisionInput, connectTimeoutMs = 30_000, onStep?: (step: ProvisionItem | 'commit') => void): Promise<DeviceConnection> {
    for (const [item, value] of provisionItemsOf(input)) {
      if (value === undefined) continue
      onStep?.(item)
      await this.request({ type: 'provision', item, value }, 'ack')
    }
    const outcome = this.nextConnectionOutcome(connectTimeoutMs)
    outcome.catch(() => undefined)
    onStep?.('commit')
    await this.request({ type: 'provision_commit' }, 'ack')
    return outcome
  }

  /** Stops listening (the port layer owns the stream and closes it); pending requests fail. */
  detach(): void {
    this.stream.off('data', this.onStreamData)
    this.stream.off('error', this.onStreamError)
    this.stream.off('close', this.onStreamClose)
    this.onClose()
  }

  private nextConnectionOutcome(timeoutMs: number): Promise<DeviceConnection> {
    return new Promise((resolve, reject) => {
      const settle = (connection: DeviceConnection): void => {
        if (connection.state !== 'connected' && connection.state !== 'failed') return
        cleanup()
        resolve(connection)
      }
      const closed = (): void => {
        cleanup()
        reject(new JsonLinesClosedError('provision_commit', undefined, this.lastPortError))
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new JsonLinesConnectTimeoutError(timeoutMs))
      }, timeoutMs)
      const cleanup = (): void => {
        clearTimeout(timer)
        this.off('connection', settle)
        this.off('closed', closed)
      }
      this.on('connection', settle)
      this.on('closed', closed)
    })
  }

  private request(body: HostRequest, expects: Expected): Promise<unknown> {
    const id = String(this.nextId++)
    const message = { ...body, id } as HostMessage
    const request = body.type
    if (this.closed || this.stream.destroyed || !this.stream.writable) {
      return Promise.reject(new JsonLinesClosedError(request, id, this.lastPortError))
    }
    const bytes = Buffer.byteLength(JSON.stringify(message))
    const limit = this.options.maxLineBytes ?? protocolMaxLineBytes
    if (bytes > limit) {
      return Promise.reject(new RangeError(`"${request}" would be a ${bytes}-byte line, over the protocol's ${limit}-byte limit, and the device would drop it: send less at once.`))
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        this.options.log?.warn({ request, id, timeoutMs: this.requestTimeoutMs }, 'json-lines request timed out')
        reject(new JsonLinesTimeoutError(request, id, this.requestTimeoutMs))
      }, this.requestTimeoutMs)
      this.pending.set(id, { request, expects, resolve, reject, timer })
      this.options.log?.debug({ request, id }, 'json-lines request sent')
      this.write(message, (error) => {
        if (!error) return
        const waiting = this.pending.get(id)
        if (!waiting) return
        this.pending.delete(id)
        clearTimeout(timer)
        reject(new JsonLinesWriteError(request, id, error))
      })
    })
  }

  private write(message: HostMessage, done?: (error: Error | null | undefined) => void): void {
    this.emit('traffic', { direction: 'out', text: JSON.stringify(this.shown(message)) })
    this.stream.write(`${JSON.stringify(message)}\n`, done)
  }

  /** What the monitor may show of an outgoing message: never the private key, nor the Wi-Fi passphrase. */
  private shown(message: HostMessage): HostMessage {
    if (message.type !== 'provision') return message
    if (message.item === 'privateKey') return { ...message, value: `[private key, ${message.value.length} characters, not shown]` }
    if (message.item === 'wifiPassphrase') return { ...message, value: `[Wi-Fi passphrase, ${message.value.length} characters, not shown]` }
    return message
  }

  private reply(message: HostMessage): void {
    if (this.closed || !this.stream.writable) return
    this.write(message)
  }

  private onData(chunk: Buffer): void {
    const suspicion = this.baudCheck.count(chunk)
    if (suspicion) {
      const at = this.options.baudRate ? ` at ${this.options.baudRate} baud` : ''
      const hint = this.options.baudRate === recommendedBaudRate ? `check the device's baud rate (the protocol recommends ${recommendedBaudRate}; some boards print at 9600 or 74880 after reset)` : `the device may speak ${recommendedBaudRate}`
      this.diagnose(
        'wrongBaud',
        `this looks like the wrong baud rate: ${suspicion.bytes} bytes${at} with no valid line, ${suspicion.unprintable} of them not printable text. Reopen the port at the device's rate: ${hint}.`
      )
    }
    this.framer.push(chunk)
  }

  private onLine(bytes: Buffer, n: number): void {
    let text: string
    const unprintable = unprintableCount(bytes)
    try {
      text = utf8.decode(bytes)
    } catch {
      text = ''
    }
    this.emit('traffic', { direction: 'in', text: text || lenientUtf8.decode(bytes), lineNumber: n })
    if (!text || unprintable > 0) {
      return this.diagnoseNoise('notText', `line ${n} is not text: ${Math.max(unprintable, 1)} of its ${bytes.length} bytes are control codes or not UTF-8 (line noise, binary output, or the wrong baud rate).`, n)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      return this.diagnoseNoise('notJson', `line ${n} is not JSON: ${(error as Error).message}; it starts ${excerpt(text)}.`, n)
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || typeof (parsed as { type?: unknown }).type !== 'string') {
      return this.diagnose('notMessage', `line ${n} is JSON but not a message: each line must be an object with a "type" field; it starts ${excerpt(text)}.`, n)
    }
    const { type, id } = parsed as { type: string; id?: unknown }
    const askedId = typeof id === 'string' && id.length > 0 ? id : undefined
    const schema = deviceMessages[type as DeviceMessageType] as (typeof deviceMessages)[DeviceMessageType] | undefined
    if (!Object.hasOwn(deviceMessages, type) || !schema) {
      this.diagnose('unknownType', `line ${n} is a "${type}" message, which this ThingBench does not know: ignored.`, n)
      if (askedId) this.reply({ type: 'error', re: askedId, code: 'unknown_type', message: `unknown message type "${type}"` })
      return
    }
    const checked = schema.safeParse(parsed)
    if (!checked.success) {
      const words = issuesInWords(checked.error)
      this.diagnose('invalidMessage', `line ${n} is a "${type}" message that does not follow the protocol (${words}): ignored.`, n)
      if (askedId) this.reply({ type: 'error', re: askedId, code: 'bad_message', message: words })
      return
    }
    this.baudCheck.validMessage()
    this.dispatch(checked.data as { type: DeviceMessageType; re?: string; id?: string }, n)
  }

  private dispatch(message: { type: DeviceMessageType; re?: string; id?: string }, n: number): void {
    if (message.re !== undefined) this.settle(message, message.re, n)
    switch (message.type) {
      case 'hello':
        this.emit('hello', message as DeviceHello)
        break
      case 'reported':
        this.emit('reported', message as DeviceReported)
        break
      case 'error':
        if (message.re === undefined) this.emit('deviceError', message as ErrorMessage)
        break
      case 'connection':
        this.emit('connection', message as DeviceConnection)
        break
      case 'log':
        this.emit('log', message as DeviceLog)
        break
      case 'ack':
        break
    }
    if (message.id !== undefined) this.reply({ type: 'ack', re: message.id })
  }

  private settle(message: { type: DeviceMessageType }, re: string, n: number): void {
    const waiting = this.pending.get(re)
    if (!waiting) {
      this.diagnose('unmatchedReply', `line ${n} answers id ${re}, which no request is waiting for (it came after its timeout, or from before a restart): ignored.`, n)
      return
    }
    this.pending.delete(re)
    clearTimeout(waiting.timer)
    if (message.type === 'error') {
      const { code, message: detail } = message as ErrorMessage
      waiting.reject(new JsonLinesDeviceError(waiting.request, re, code, detail))
    } else if (message.type !== waiting.expects) {
      waiting.reject(new JsonLinesUnexpectedReplyError(waiting.request, re, message.type, waiting.expects))
    } else {
      waiting.resolve(message)
    }
  }

  /** Per-line noise while a wrong baud rate is suspected is one report, not hundreds. */
  private diagnoseNoise(kind: DiagnosticKind, message: string, n: number): void {
    if (this.baudCheck.suspecting) return
    this.diagnose(kind, message, n)
  }

  private diagnose(kind: DiagnosticKind, message: string, lineNumber?: number): void {
    this.options.log?.warn({ kind, lineNumber }, message)
    this.emit('diagnostic', lineNumber === undefined ? { kind, message } : { kind, message, lineNumber })
  }

  private onClose(): void {
    if (this.closed) return
    this.closed = true
    this.framer.stop()
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer)
      waiting.reject(new JsonLinesClosedError(waiting.request, id, this.lastPortError))
    }
    this.pending.clear()
    this.emit('closed', this.lastPortError ? { error: this.lastPortError } : {})
  }
}
