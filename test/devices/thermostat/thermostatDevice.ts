import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto'
import type { Duplex } from 'node:stream'
import { Thermostat, type ThermostatOptions } from './thermostat'
import { connectOverMqtt, type MqttLink } from './mqttLink'
import { IdentityStore, type StoredIdentity } from './identityStore'

// The thermostat's firmware: it speaks docs/serial-json-lines.md over a byte stream (the device
// end of a pty pair). Written apart from ThingBench's driver, as a firmware engineer would from
// the document, so the two check each other. Faults for tests: line noise as at a wrong baud rate,
// going silent mid-conversation, and garbage lines between good ones.

export interface ThermostatFaults {
  /** Sends random bytes (what a host at the wrong baud rate receives) instead of talking, and understands nothing it is sent. */
  noise?: boolean
  /** Stops answering after this many requests (it keeps reading). */
  silentAfterRequests?: number
  /** Writes a line of garbage every this many ms. */
  garbageEveryMs?: number
  /** Refuses provision_commit with this error, as firmware whose flash fails would (storage_failed). */
  failCommitWith?: { code: string; message: string }
  /** Acknowledges provision_commit, then never says whether it connected (firmware stuck in its network stack). */
  silentAfterCommit?: boolean
}

export interface ThermostatDeviceOptions {
  device?: string
  firmware?: string
  serial?: string
  thermostat?: ThermostatOptions
  /** Simulation step. */
  tickMs?: number
  /** A report at least this often, change or not. */
  reportEveryMs?: number
  /** Where a provisioned identity is kept (the device's flash); without it, in memory only. */
  stateDir?: string
  /** What its hello lists (default provision and wifi); firmware without "provision" answers the provision messages with unknown_type. */
  capabilities?: string[]
  /** With a stored identity, connect to MQTT itself (endpoint `host:port`, the rootCa item as CA). */
  connect?: boolean
  faults?: ThermostatFaults
  /** Called with each line the device receives, for the console. */
  onLine?: (direction: 'in' | 'out', text: string) => void
}

const maxLineBytes = 8192
const provisionItems = ['endpoint', 'thingName', 'certificate', 'privateKey', 'rootCa', 'wifiSsid', 'wifiPassphrase'] as const

type Message = Record<string, unknown> & { type?: unknown; id?: unknown }

export class ThermostatDevice {
  readonly thermostat: Thermostat
  private buffer = ''
  private discarding = false
  private requestsSeen = 0
  private lastReported = ''
  private readonly timers: NodeJS.Timeout[] = []
  private readonly identity: IdentityStore
  private mqtt: MqttLink | undefined
  private stopped = false

  constructor(
    private readonly stream: Duplex,
    private readonly options: ThermostatDeviceOptions = {}
  ) {
    this.thermostat = new Thermostat(options.thermostat)
    this.identity = new IdentityStore(options.stateDir)
    stream.setEncoding('utf8')
    stream.on('data', (text: string) => this.onText(text))
    stream.on('error', () => this.stop())
    stream.on('close', () => this.stop())
  }

  /** Boots: says hello unprompted, reports, and starts the clock. */
  start(): void {
    const { faults = {} } = this.options
    if (faults.noise) {
      this.timers.push(setInterval(() => this.stream.writable && this.stream.write(randomBytes(64)), 20))
      return
    }
    this.send(this.helloMessage())
    this.report()
    const tickMs = this.options.tickMs ?? 100
    this.timers.push(setInterval(() => this.tick(tickMs / 1000), tickMs))
    this.timers.push(setInterval(() => this.report(true), this.options.reportEveryMs ?? 10_000))
    if (faults.garbageEveryMs) this.timers.push(setInterval(() => this.writeRaw('%%garbage%% not json {\n'), faults.garbageEveryMs))
    const stored = this.identity.load()
    if (stored && this.options.connect) void this.connect(stored)
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    for (const timer of this.timers) clearInterval(timer)
    void this.mqtt?.close()
  }

  /** Hung firmware: reads, but answers and reports nothing any more. */
  private hang(): void {
    for (const timer of this.timers) clearInterval(timer)
    this.timers.length = 0
  }

  private tick(seconds: number): void {
    this.thermostat.tick(seconds)
    this.report()
  }

  /** Reports when the state changed (or always, for the periodic report). */
  private report(always = false, re?: string): void {
    const state = this.thermostat.reported()
    const text = JSON.stringify(state)
    if (!always && re === undefined && text === this.lastReported) return
    this.lastReported = text
    this.send({ type: 'reported', ...(re ? { re } : {}), state })
    void this.mqtt?.report(state)
  }

  private helloMessage(re?: string): object {
    return {
      type: 'hello',
      ...(re ? { re } : {}),
      protocol: 1,
      device: this.options.device ?? 'ThingBench thermostat simulator',
      firmware: this.options.firmware ?? '1.0.0',
      serial: this.options.serial ?? 'TB-THERMO-0001',
      capabilities: this.capabilities
    }
  }

  private onText(text: string): void {
    // At the wrong baud rate the board hears garbage too: it answers nothing (a clean answer amid the noise would be a lucky line).
    if (this.options.faults?.noise) return
    this.buffer += text
    for (let lf = this.buffer.indexOf('\n'); lf !== -1; lf = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, lf).replace(/\r$/, '')
      this.buffer = this.buffer.slice(lf + 1)
      if (this.discarding) this.discarding = false
      else if (line.trim()) this.onLine(line)
    }
    if (Buffer.byteLength(this.buffer) > maxLineBytes) {
      this.buffer = ''
      this.discarding = true
      this.send({ type: 'error', code: 'line_too_long', message: `a line was longer than ${maxLineBytes} bytes and was dropped` })
    }
  }

  private onLine(line: string): void {
    this.options.onLine?.('in', line)
    let message: Message
    try {
      message = JSON.parse(line) as Message
    } catch {
      return this.send({ type: 'error', code: 'bad_json', message: 'that line is not JSON' })
    }
    if (typeof message !== 'object' || message === null || typeof message.type !== 'string') {
      return this.send({ type: 'error', code: 'bad_message', message: 'a message is an object with a "type"' })
    }
    const id = typeof message.id === 'string' ? message.id : undefined
    if (id === undefined) return // acks, unsolicited errors: nothing to answer
    this.requestsSeen++
    const silentAfter = this.options.faults?.silentAfterRequests
    if (silentAfter !== undefined && this.requestsSeen > silentAfter) return this.hang()
    this.answer(message, id)
  }

  private get capabilities(): string[] {
    return this.options.capabilities ?? ['provision', 'wifi']
  }

  private answer(message: Message, re: string): void {
    const refuse = (code: string, text: string): void => this.send({ type: 'error', re, code, message: text })
    if ((message.type === 'provision' || message.type === 'provision_commit') && !this.capabilities.includes('provision'))
      return refuse('unknown_type', `unknown message type ${JSON.stringify(message.type)}`)
    switch (message.type) {
      case 'hello':
        return this.send(this.helloMessage(re))
      case 'get':
        return this.report(true, re)
      case 'desired':
      case 'delta': {
        const state = message['state']
        if (typeof state !== 'object' || state === null || Array.isArray(state)) return refuse('bad_message', '"state" must be an object')
        const outcome = this.thermostat.apply(state as Record<string, unknown>)
        if (!outcome.ok) return refuse('bad_value', outcome.message)
        this.send({ type: 'ack', re })
        return this.report(true)
      }
      case 'provision': {
        const { item, value } = message as { item?: unknown; value?: unknown }
        if (!provisionItems.includes(item as (typeof provisionItems)[number])) return refuse('bad_value', `unknown provision item ${JSON.stringify(item)}`)
        if (typeof item === 'string' && item.startsWith('wifi') && !this.capabilities.includes('wifi')) return refuse('bad_value', `unknown provision item ${JSON.stringify(item)}: this firmware has no Wi-Fi`)
        if (typeof value !== 'string' || !value) return refuse('bad_value', `"${String(item)}" needs a non-empty string value`)
        this.identity.stage(item as keyof StoredIdentity, value)
        return this.send({ type: 'ack', re })
      }
      case 'provision_commit':
        return this.commit(re)
      default:
        return refuse('unknown_type', `unknown message type ${JSON.stringify(message.type)}`)
    }
  }

  private commit(re: string): void {
    const failure = this.options.faults?.failCommitWith
    if (failure) return this.send({ type: 'error', re, ...failure })
    const staged = this.identity.staged()
    const missing = (['endpoint', 'thingName', 'certificate', 'privateKey'] as const).filter((item) => !staged[item])
    if (missing.length) return this.send({ type: 'error', re, code: 'not_provisioned', message: `missing ${missing.join(', ')}` })
    const identity = staged as StoredIdentity
    try {
      if (!new X509Certificate(identity.certificate).checkPrivateKey(createPrivateKey(identity.privateKey))) {
        return this.send({ type: 'error', re, code: 'bad_value', message: 'the private key does not match the certificate' })
      }
    } catch (error) {
      return this.send({ type: 'error', re, code: 'bad_value', message: `the certificate or key is not PEM: ${(error as Error).message}` })
    }
    try {
      this.identity.save(identity)
    } catch (error) {
      return this.send({ type: 'error', re, code: 'storage_failed', message: (error as Error).message })
    }
    this.send({ type: 'ack', re })
    if (this.options.faults?.silentAfterCommit) return
    if (this.options.connect) void this.connect(identity)
    else this.send({ type: 'connection', state: 'failed', detail: 'identity stored; this simulator connects to MQTT only when started with --connect' })
  }

  private async connect(identity: StoredIdentity): Promise<void> {
    this.send({ type: 'connection', state: 'connecting', detail: identity.endpoint })
    await this.mqtt?.close()
    try {
      this.mqtt = await connectOverMqtt(identity, (state, detail) => this.send({ type: 'connection', state, ...(detail ? { detail } : {}) }))
      this.send({ type: 'connection', state: 'connected', detail: identity.endpoint })
      void this.mqtt.report(this.thermostat.reported())
    } catch (error) {
      this.send({ type: 'connection', state: 'failed', detail: (error as Error).message })
    }
  }

  private send(message: object): void {
    const text = JSON.stringify(message)
    this.options.onLine?.('out', text)
    this.writeRaw(`${text}\n`)
  }

  private writeRaw(text: string): void {
    if (!this.stopped && this.stream.writable) this.stream.write(text)
  }
}
