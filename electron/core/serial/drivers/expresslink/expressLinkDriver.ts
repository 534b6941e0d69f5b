import { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import { AtChannel, type AtDiagnostic, type AtResponse, type AtTraffic } from './atChannel'
import { ExpressLinkCommandError, ExpressLinkProtocolError, ExpressLinkTimeoutError } from './errors'
import { escapeAt, unescapeAt } from './escaping'
import { eventIds, parseEvent, type ExpressLinkEvent } from './events'

// An AWS IoT ExpressLink module on a serial stream (research/expresslink.md §12.2, §14): identify it,
// read its certificate, configure it, connect it, and use its own shadow commands, so a bridge can
// work through the module's connection. Events are polled with AT+EVENT?; those a caller is not
// waiting for are emitted as `event`.

export interface ExpressLinkIdentity {
  about: string
  version: string
  techSpec: string
  thingName: string
  endpoint: string
  connected: boolean
  /** Endpoint is no longer the vendor's staging endpoint. */
  onboarded: boolean
}

export interface ConnectionStatus {
  connected: boolean
  onboarded: boolean
}

/** A shadow's asynchronous answer: `accepted` false is AWS's rejection (its error document). */
export interface ShadowResult {
  accepted: boolean
  document: unknown
}

export interface ExpressLinkDriverOptions {
  /** CONF, EVENT, GET and the like (research §14: short). */
  commandTimeoutMs?: number
  /** CONNECT may take up to 120 s on a real module. */
  connectTimeoutMs?: number
  /** How often `waitForEvent` asks AT+EVENT?. */
  pollIntervalMs?: number
}

export interface ExpressLinkDriverEvents {
  event: [ExpressLinkEvent]
  diagnostic: [AtDiagnostic]
  traffic: [AtTraffic]
  closed: [{ error?: Error }]
}

const SHORT_MS = 5_000
const CONNECT_MS = 120_000

function shadowCommand(index: number | undefined, sub: string): string {
  return `AT+SHADOW${index ?? ''} ${sub}`
}

export class ExpressLinkDriver extends EventEmitter<ExpressLinkDriverEvents> {
  private readonly channel: AtChannel
  private readonly commandTimeoutMs: number
  private readonly connectTimeoutMs: number
  private readonly pollIntervalMs: number
  /** Events polled while waiting for another one, kept for the next wait. */
  private readonly unclaimed: ExpressLinkEvent[] = []

  constructor(stream: Duplex, options: ExpressLinkDriverOptions = {}) {
    super()
    this.commandTimeoutMs = options.commandTimeoutMs ?? SHORT_MS
    this.connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_MS
    this.pollIntervalMs = options.pollIntervalMs ?? 50
    this.channel = new AtChannel(stream)
    this.channel.on('diagnostic', (d) => this.emit('diagnostic', d))
    this.channel.on('traffic', (t) => this.emit('traffic', t))
    this.channel.on('closed', (c) => this.emit('closed', c))
  }

  /** Any AT command, raw: `AT+CONF? ThingName`. Rejects with ExpressLinkCommandError on ERR. */
  command(command: string, timeoutMs = this.commandTimeoutMs): Promise<AtResponse> {
    return this.channel.send(command, timeoutMs)
  }

  /** Stops listening to the stream; the port stays open for its owner. */
  detach(): void {
    this.channel.detach()
  }

  /** `AT` until it answers OK (a module just powered up may need a moment, or send boot noise). */
  async attention(attempts = 3, timeoutMs = 1_000): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.command('AT', timeoutMs)
        return
      } catch (error) {
        if (!(error instanceof ExpressLinkTimeoutError) || attempt >= attempts) throw error
      }
    }
  }

  async read(key: string): Promise<string> {
    const { detail } = await this.command(`AT+CONF? ${key}`)
    return this.unescaped(`AT+CONF? ${key}`, detail)
  }

  async identify(): Promise<ExpressLinkIdentity> {
    await this.attention()
    const about = await this.read('About')
    const version = await this.read('Version')
    const techSpec = await this.read('TechSpec')
    const thingName = await this.read('ThingName')
    const endpoint = await this.read('Endpoint')
    const status = await this.connectionStatus()
    return { about, version, techSpec, thingName, endpoint, ...status }
  }

  /** The module's certificate as PEM (its private key never leaves the module). */
  async readCertificate(): Promise<string> {
    const command = 'AT+CONF? Certificate pem'
    const { lines } = await this.command(command)
    const pem = `${lines.map((line) => line.trim()).join('\n')}\n`
    if (!pem.startsWith('-----BEGIN CERTIFICATE-----') || !pem.trimEnd().endsWith('-----END CERTIFICATE-----'))
      throw new ExpressLinkProtocolError(command, `the ${lines.length} lines after "OK${lines.length} pem" are not one PEM certificate`)
    return pem
  }

  /** Writes each key in order (`AT+CONF Key=value`, escaped); the first refusal stops the rest. */
  async configure(settings: Record<string, string>): Promise<void> {
    for (const [key, value] of Object.entries(settings)) await this.command(`AT+CONF ${key}=${escapeAt(value)}`)
  }

  async connectionStatus(): Promise<ConnectionStatus> {
    const command = 'AT+CONNECT?'
    const { detail } = await this.command(command)
    // Older modules answer only `OK 1` / `OK 0` (no onboarded flag).
    const match = /^([01])(?:\s+([01]))?/.exec(detail)
    if (!match) throw new ExpressLinkProtocolError(command, `"OK ${detail}" does not start with the connection flag (0 or 1)`)
    return { connected: match[1] === '1', onboarded: match[2] === '1' }
  }

  /** Blocks until connected; ERR14 comes back as ExpressLinkCommandError with its `hint`. */
  async connect(): Promise<void> {
    await this.command('AT+CONNECT', this.connectTimeoutMs)
  }

  async disconnect(): Promise<void> {
    await this.command('AT+DISCONNECT')
  }

  /** Polls AT+EVENT? once; undefined when the queue is empty. */
  async nextEvent(): Promise<ExpressLinkEvent | undefined> {
    const { detail } = await this.command('AT+EVENT?')
    if (!detail.trim()) return undefined
    const event = parseEvent(detail)
    if (!event) throw new ExpressLinkProtocolError('AT+EVENT?', `"OK ${detail}" is not "{id} {parameter} {name}"`)
    return event
  }

  /**
   * Drains the event queue (research §14: poll until empty), emitting each new one. Events a wait
   * set aside come first; they were emitted when they came, so they are not emitted again.
   */
  async pollEvents(): Promise<ExpressLinkEvent[]> {
    const kept = this.unclaimed.splice(0)
    const fresh: ExpressLinkEvent[] = []
    for (let event = await this.nextEvent(); event; event = await this.nextEvent()) fresh.push(event)
    for (const event of fresh) this.emit('event', event)
    return [...kept, ...fresh]
  }

  /** Polls until an event matching one of `ids` (and `param`) arrives; others are emitted as they come. */
  async waitForEvent(ids: number[], param: number | undefined, timeoutMs: number, what: string): Promise<ExpressLinkEvent> {
    const deadline = Date.now() + timeoutMs
    const matches = (e: ExpressLinkEvent): boolean => ids.includes(e.id) && (param === undefined || e.param === param)
    const kept = this.unclaimed.findIndex(matches)
    if (kept !== -1) return this.unclaimed.splice(kept, 1)[0]
    for (;;) {
      const event = await this.nextEvent()
      if (event && matches(event)) return event
      if (event) {
        this.unclaimed.push(event)
        this.emit('event', event)
        continue
      }
      if (Date.now() > deadline) throw new ExpressLinkTimeoutError(`${what} (waiting for event ${ids.join(' or ')})`, timeoutMs, undefined)
      await new Promise((resolve) => setTimeout(resolve, this.pollIntervalMs))
    }
  }

  // --- Device Shadow through the module's own connection (research §7.7) ---

  /** EnableShadow=1 and SHADOW INIT, waiting for the module to say the shadow is ready. */
  async initShadow(index?: number, timeoutMs = 10_000): Promise<void> {
    await this.command('AT+CONF EnableShadow=1')
    await this.command(shadowCommand(index, 'INIT'))
    const event = await this.waitForEvent([eventIds.shadowInit, eventIds.shadowInitFailed], index ?? 0, timeoutMs, shadowCommand(index, 'INIT'))
    if (event.id === eventIds.shadowInitFailed) throw new ExpressLinkCommandError(shadowCommand(index, 'INIT'), 24, 'SHADOW ERROR the module reported SHADOW INIT FAILED')
  }

  /** The shadow document as AWS holds it (SHADOW DOC, then GET DOC). */
  async getShadow(index?: number, timeoutMs = 10_000): Promise<ShadowResult> {
    await this.command(shadowCommand(index, 'DOC'))
    await this.waitForEvent([eventIds.shadowDocument], index ?? 0, timeoutMs, shadowCommand(index, 'DOC'))
    return this.shadowResult(shadowCommand(index, 'GET DOC'))
  }

  /** Sends an update (`{"state":{"reported":…}}`) and returns AWS's accepted or rejected document. */
  async updateShadow(document: object, index?: number, timeoutMs = 10_000): Promise<ShadowResult> {
    await this.command(shadowCommand(index, `UPDATE ${escapeAt(JSON.stringify(document))}`))
    await this.waitForEvent([eventIds.shadowUpdate], index ?? 0, timeoutMs, shadowCommand(index, 'UPDATE'))
    return this.shadowResult(shadowCommand(index, 'GET UPDATE'))
  }

  /** Subscribes to deltas, waiting for the subscription to be accepted. */
  async subscribeShadowDeltas(index?: number, timeoutMs = 10_000): Promise<void> {
    await this.command(shadowCommand(index, 'SUBSCRIBE'))
    const event = await this.waitForEvent([eventIds.shadowSubscribeAccepted, eventIds.shadowSubscribeRejected], index ?? 0, timeoutMs, shadowCommand(index, 'SUBSCRIBE'))
    if (event.id === eventIds.shadowSubscribeRejected) throw new ExpressLinkCommandError(shadowCommand(index, 'SUBSCRIBE'), 24, 'SHADOW ERROR the module reported SHADOW SUBNACK')
  }

  /** Stops the delta subscription (the spec gives no event for it). */
  async unsubscribeShadowDeltas(index?: number): Promise<void> {
    await this.command(shadowCommand(index, 'UNSUBSCRIBE'))
  }

  /** The next queued delta document, or undefined. */
  async nextShadowDelta(index?: number): Promise<unknown> {
    const command = shadowCommand(index, 'GET DELTA')
    const { detail } = await this.command(command)
    return detail.trim() ? this.json(command, this.unescaped(command, detail)) : undefined
  }

  private async shadowResult(command: string): Promise<ShadowResult> {
    const { detail } = await this.command(command)
    const match = /^([01]) (.*)$/s.exec(detail)
    if (!match) throw new ExpressLinkProtocolError(command, detail ? `"OK ${detail}" is not "1 {document}" or "0 {detail}"` : 'the answer had not arrived although its event had')
    const text = this.unescaped(command, match[2])
    return { accepted: match[1] === '1', document: this.json(command, text) }
  }

  private unescaped(command: string, text: string): string {
    const raw = unescapeAt(text)
    if (raw === undefined) throw new ExpressLinkProtocolError(command, `"${text.slice(0, 80)}" holds a backslash sequence other than \\A, \\D or \\\\`)
    return raw
  }

  private json(command: string, text: string): unknown {
    try {
      return JSON.parse(text)
    } catch {
      throw new ExpressLinkProtocolError(command, `the document is not JSON: "${text.slice(0, 80)}"`)
    }
  }
}
