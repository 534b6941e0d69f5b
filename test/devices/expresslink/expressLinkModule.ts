import type { Duplex } from 'node:stream'
import type { MqttClient } from 'mqtt'
import { escapeAt, unescapeAt } from '../../../electron/core/serial/drivers/expresslink/escaping'
import { connectToCloud, ConnectFailure } from './cloud'
import { AtError, ConfigStore, MAX_SHADOW, MAX_TOPIC, STAGING_ENDPOINT } from './config'
import { loadOrCreateIdentity, type ModuleIdentity } from './identity'

// A simulated AWS IoT ExpressLink module on the device end of a serial line, following
// research/expresslink.md §13: CR or LF ends a command, junk before `AT` is dropped, nothing is
// echoed, every command gets exactly one answer (`\r\n`-terminated). Once onboarded it holds a real
// MQTT connection (mutual TLS, its own key) and does the shadow work on the reserved topics.

export interface ModuleOptions {
  stateDir: string
  about?: string
  version?: string
  techSpec?: string
  /** How long a failed connect blocks the next one (ERR14 hint 1). */
  backoffMs?: number
  connectTimeoutMs?: number
  onLine?: (direction: 'in' | 'out', text: string) => void
}

interface ShadowResultSlot {
  accepted: boolean
  payload: string
}

interface ShadowState {
  initialised: boolean
  doc?: ShadowResultSlot
  update?: ShadowResultSlot
  delete?: ShadowResultSlot
  deltas: string[]
}

interface QueuedMessage {
  topic: string
  payload: string
}

const MAX_COMMAND_BYTES = 9 * 1024
const MAX_EVENTS = 32
const MAX_MESSAGES = 32

export class ExpressLinkModule {
  private identity!: ModuleIdentity
  private config!: ConfigStore
  private buffer = ''
  private overflowed = false
  private events: string[] = []
  private messages: QueuedMessage[] = []
  private client: MqttClient | undefined
  private connecting = false
  private lastFailureAt = 0
  private shadows = new Map<number, ShadowState>()
  private busy: Promise<void> = Promise.resolve()
  /** Test hook: a module that has stopped answering (hung firmware). */
  silent = false

  private constructor(
    private readonly port: Duplex,
    private readonly options: ModuleOptions
  ) {}

  static async start(port: Duplex, options: ModuleOptions): Promise<ExpressLinkModule> {
    const module = new ExpressLinkModule(port, options)
    module.identity = await loadOrCreateIdentity(options.stateDir)
    module.config = new ConfigStore(
      {
        about: options.about ?? 'ThingBench - Simulated ExpressLink',
        version: options.version ?? '1.0.0 sim',
        techSpec: options.techSpec ?? 'v1.2',
        thingName: module.identity.thingName,
        certificatePem: module.identity.certificatePem
      },
      options.stateDir
    )
    module.queueEvent(2, 0, 'STARTUP')
    port.on('data', (chunk: Buffer) => module.receive(chunk.toString('latin1')))
    return module
  }

  get thingName(): string {
    return this.identity.thingName
  }

  /** Sends raw bytes to the host, as a glitching module or a noisy line would. */
  writeGarbage(bytes: Buffer | string): void {
    this.port.write(bytes)
  }

  async stop(): Promise<void> {
    await this.busy
    await this.dropConnection(false)
  }

  // --- line assembly (§13.1) ---

  private receive(text: string): void {
    for (const c of text) {
      if (c === '\r' || c === '\n') {
        const line = this.buffer
        const overflowed = this.overflowed
        this.buffer = ''
        this.overflowed = false
        if (overflowed) this.enqueue(() => Promise.resolve('ERR1 OVERFLOW'), '[overflow]')
        else this.accept(line)
        continue
      }
      if (this.overflowed) continue
      this.buffer += c
      if (this.buffer.length > MAX_COMMAND_BYTES) {
        this.overflowed = true
        this.buffer = ''
      }
    }
  }

  private accept(line: string): void {
    const start = line.search(/AT/i)
    if (start === -1) return
    const command = line.slice(start)
    this.enqueue(() => this.execute(command), command)
  }

  private enqueue(run: () => Promise<string>, shown: string): void {
    this.busy = this.busy.then(async () => {
      this.options.onLine?.('in', shown.replace(/^(AT\+CONF\s+Passphrase=).*/i, '$1[not shown]'))
      const answer = await run().catch((error: unknown) => (error instanceof AtError ? error.message : `ERR4 PARAMETER ERROR ${(error as Error).message}`))
      if (this.silent) return
      this.options.onLine?.('out', answer)
      if (!this.port.destroyed && this.port.writable) this.port.write(`${answer}\r\n`)
    })
  }

  // --- commands (§7) ---

  private async execute(line: string): Promise<string> {
    if (/^AT$/i.test(line)) return 'OK'
    const match = /^AT\+([A-Za-z_]+[!?]?)(\d*)(.*)$/s.exec(line)
    if (!match) return 'ERR2 PARSE ERROR'
    const [, word, digits, rest] = match
    if (rest !== '' && !rest.startsWith(' ')) return 'ERR2 PARSE ERROR'
    const raw = rest.slice(1)
    const index = digits === '' ? undefined : Number(digits)
    const name = word.toUpperCase()
    const noIndex = (): void => {
      if (index !== undefined) throw new AtError(4, 'PARAMETER ERROR', 'no number suffix expected')
    }
    switch (name) {
      case 'CONF':
        noIndex()
        return this.conf(raw)
      case 'CONF?':
        noIndex()
        return this.confRead(raw)
      case 'CONNECT':
        noIndex()
        return this.connect()
      case 'CONNECT!':
        noIndex()
        return this.connectInBackground()
      case 'CONNECT?': {
        noIndex()
        const onboarded = this.onboarded
        return `OK ${this.client ? 1 : 0} ${onboarded ? 1 : 0} ${this.client ? 'CONNECTED' : 'DISCONNECTED'} ${onboarded ? 'CUSTOMER' : 'STAGING'}`
      }
      case 'DISCONNECT':
        noIndex()
        await this.dropConnection(true)
        return 'OK 0 DISCONNECTED'
      case 'EVENT?':
        noIndex()
        return this.events.length ? `OK ${this.events.shift()}` : 'OK'
      case 'TIME?':
        return this.time()
      case 'SLEEP':
        if (this.client) throw new AtError(18, 'ACTIVE CONNECTION')
        if (raw && !/^\d+$/.test(raw)) throw new AtError(4, 'PARAMETER ERROR', 'duration must be a number of seconds')
        this.events = []
        this.queueEvent(2, 0, 'STARTUP')
        return 'OK 0'
      case 'CONFMODE':
        if (this.client) throw new AtError(18, 'ACTIVE CONNECTION')
        throw new AtError(17, 'MODE NOT AVAILABLE', 'this simulator has no configuration mode')
      case 'RESET':
      case 'FACTORY_RESET':
        noIndex()
        await this.dropConnection(false)
        this.config.resetVolatile()
        if (name === 'FACTORY_RESET') this.config.factoryReset()
        this.messages = []
        this.events = []
        this.queueEvent(2, 0, 'STARTUP')
        return 'OK'
      case 'SEND':
        return this.send(index, raw)
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE':
        return this.subscribe(index, name === 'SUBSCRIBE')
      case 'GET':
        return this.get(index)
      case 'SHADOW':
        return this.shadow(index ?? 0, raw)
      default:
        throw new AtError(3, 'COMMAND NOT FOUND')
    }
  }

  private get onboarded(): boolean {
    return this.config.get('Endpoint') !== STAGING_ENDPOINT
  }

  private unescape(raw: string): string {
    const value = unescapeAt(raw)
    if (value === undefined) throw new AtError(5, 'INVALID ESCAPE')
    return value
  }

  private conf(raw: string): string {
    const equals = raw.indexOf('=')
    if (equals === -1) throw new AtError(4, 'PARAMETER ERROR', 'expected Key=value')
    const key = raw.slice(0, equals)
    const value = this.unescape(raw.slice(equals + 1))
    this.config.write(key, value)
    return 'OK'
  }

  private confRead(raw: string): string {
    const [key, qualifier, ...more] = raw.split(' ')
    if (more.length) throw new AtError(4, 'PARAMETER ERROR')
    const value = this.config.read(key)
    if (qualifier === undefined) return value === '' ? 'OK' : `OK ${escapeAt(value)}`
    if (qualifier.toLowerCase() !== 'pem' || !this.config.isCertificateKey(key)) throw new AtError(4, 'PARAMETER ERROR', 'only certificate keys take the pem qualifier')
    const lines = value.trim() ? value.trim().split(/\r?\n/) : []
    return [`OK${lines.length} pem`, ...lines].join('\r\n')
  }

  private time(): string {
    if (!this.client) throw new AtError(15, 'TIME NOT AVAILABLE')
    const now = new Date()
    const pad = (n: number, w = 2): string => String(n).padStart(w, '0')
    return `OK date ${now.getUTCFullYear()}/${pad(now.getUTCMonth() + 1)}/${pad(now.getUTCDate())} time ${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}.${pad(Math.floor(now.getUTCMilliseconds() / 10))} SNTP`
  }

  // --- connection (§7.1, §10) ---

  private async connect(): Promise<string> {
    if (this.client) return 'OK 1 CONNECTED'
    if (this.connecting) throw new AtError(25, 'NOT ALLOWED', 'a CONNECT! is in progress')
    try {
      await this.openConnection()
      return 'OK 1 CONNECTED'
    } catch (error) {
      if (error instanceof ConnectFailure) throw new AtError(14, `${error.hint} UNABLE TO CONNECT`, error.message)
      throw error
    }
  }

  private connectInBackground(): string {
    if (this.connecting) throw new AtError(25, 'NOT ALLOWED', 'a CONNECT! is in progress')
    if (this.client) {
      this.queueEvent(6, 0, 'CONNECT')
      return 'OK'
    }
    this.connecting = true
    void this.openConnection()
      .then(() => this.queueEvent(6, 0, 'CONNECT'))
      .catch((error: unknown) => this.queueEvent(6, error instanceof ConnectFailure ? error.hint : 5, 'CONNECT'))
      .finally(() => (this.connecting = false))
    return 'OK'
  }

  private async openConnection(): Promise<void> {
    const backoffMs = this.options.backoffMs ?? 2_000
    const waitMs = this.lastFailureAt + backoffMs - Date.now()
    if (waitMs > 0) throw new ConnectFailure(1, `back-off in effect: retry in ${Math.ceil(waitMs / 1000)} s`)
    try {
      if (!this.config.get('SSID')) throw new ConnectFailure(2, 'no Wi-Fi network configured (SSID is empty)')
      const client = await connectToCloud({
        endpoint: this.config.get('Endpoint'),
        thingName: this.identity.thingName,
        certificatePem: this.identity.certificatePem,
        privateKeyPem: this.identity.privateKeyPem,
        rootCa: this.config.get('RootCA'),
        keepAliveSeconds: Number(this.config.get('KeepAlive')) || 60,
        timeoutMs: this.options.connectTimeoutMs ?? 10_000
      })
      this.client = client
      client.on('message', (topic, payload) => this.arrived(topic, payload.toString('utf8')))
      client.on('close', () => {
        if (this.client !== client) return
        this.client = undefined
        this.shadows.clear()
        this.queueEvent(3, 0, 'CONLOST')
      })
    } catch (error) {
      this.lastFailureAt = Date.now()
      throw error
    }
  }

  private async dropConnection(queueConlost: boolean): Promise<void> {
    const client = this.client
    if (!client) return
    this.client = undefined
    this.shadows.clear()
    await client.endAsync(true).catch(() => undefined)
    if (queueConlost) this.queueEvent(3, 0, 'CONLOST')
  }

  private queueEvent(id: number, param: number, mnemonic: string): void {
    this.events.push(`${id} ${param} ${mnemonic}`)
    if (this.events.length > MAX_EVENTS) this.events.shift()
  }

  // --- messaging (§7.3) ---

  private topicAt(index: number | undefined): string {
    if (index === undefined) throw new AtError(4, 'PARAMETER ERROR', 'a topic number is required')
    if (index === 0 || index > MAX_TOPIC) throw new AtError(7, 'OUT OF RANGE')
    const topic = this.config.get(`Topic${index}`)
    if (!topic) throw new AtError(8, 'PARAMETER UNDEFINED')
    return topic
  }

  private async send(index: number | undefined, raw: string): Promise<string> {
    const topic = this.topicAt(index)
    if (!this.client) throw new AtError(6, 'NO CONNECTION')
    await this.client.publishAsync(topic, this.unescape(raw), { qos: this.config.get('QoS') === '1' ? 1 : 0 })
    return 'OK'
  }

  private subscribe(index: number | undefined, subscribe: boolean): string {
    const topic = this.topicAt(index)
    const client = this.client
    if (!client) throw new AtError(6, 'NO CONNECTION')
    if (!subscribe) {
      client.unsubscribe(topic)
      return 'OK'
    }
    client.subscribe(topic, { qos: 1 }, (error, granted) => {
      const refused = Boolean(error) || (granted ?? []).some((g) => g.qos === 128)
      this.queueEvent(refused ? 9 : 8, index!, refused ? 'SUBNACK' : 'SUBACK')
    })
    return 'OK'
  }

  private topicIndex(topic: string): number {
    for (let i = 1; i <= MAX_TOPIC; i++) if (this.config.get(`Topic${i}`) === topic) return i
    return 0
  }

  private get(index: number | undefined): string {
    const at = this.messages.findIndex((m) => index === undefined || this.topicIndex(m.topic) === index)
    if (index !== undefined && index !== 0) this.topicAt(index)
    if (at === -1) return 'OK'
    const [message] = this.messages.splice(at, 1)
    return index !== undefined && index !== 0 ? `OK ${escapeAt(message.payload)}` : `OK1 ${message.topic}\r\n${escapeAt(message.payload)}`
  }

  private arrived(topic: string, payload: string): void {
    if (this.shadowArrived(topic, payload)) return
    if (this.messages.length >= MAX_MESSAGES) {
      this.queueEvent(4, 0, `OVERRUN ${topic}`)
      return
    }
    this.messages.push({ topic, payload })
    this.queueEvent(1, this.topicIndex(topic), 'MSG')
  }

  // --- Device Shadow (§7.7) over $aws/things/{thing}/shadow[/name/{name}]/… ---

  private shadowPrefix(index: number): string {
    const base = `$aws/things/${this.identity.thingName}/shadow`
    return index === 0 ? base : `${base}/name/${this.config.get(`Shadow${index}`)}`
  }

  private async shadow(index: number, raw: string): Promise<string> {
    if (index > MAX_SHADOW) throw new AtError(7, 'OUT OF RANGE')
    if (index > 0 && !this.config.get(`Shadow${index}`)) throw new AtError(8, 'PARAMETER UNDEFINED')
    const [sub, ...restWords] = raw.split(' ')
    const verb = sub.toUpperCase()
    const argument = raw.slice(sub.length + 1)
    const state = this.shadows.get(index)
    if (verb === 'GET') return this.shadowGet(state, restWords.join(' ').toUpperCase())
    if (this.config.get('EnableShadow') !== '1') throw new AtError(24, 'SHADOW ERROR', 'EnableShadow is 0')
    if (!this.onboarded) throw new AtError(24, 'SHADOW ERROR', 'not onboarded')
    const client = this.client
    if (!client) throw new AtError(6, 'NO CONNECTION')
    const prefix = this.shadowPrefix(index)
    const token = this.config.get('ShadowToken')
    if (verb === 'INIT') {
      const fresh: ShadowState = { initialised: false, deltas: [] }
      this.shadows.set(index, fresh)
      const topics = ['get', 'update', 'delete'].flatMap((op) => [`${prefix}/${op}/accepted`, `${prefix}/${op}/rejected`])
      client.subscribe(topics, { qos: 1 }, (error, granted) => {
        const ok = !error && !(granted ?? []).some((g) => g.qos === 128)
        fresh.initialised = ok
        this.queueEvent(ok ? 20 : 21, index, ok ? 'SHADOW INIT' : 'SHADOW INIT FAILED')
      })
      return 'OK'
    }
    if (!state?.initialised) throw new AtError(24, 'SHADOW ERROR', 'SHADOW INIT has not completed')
    switch (verb) {
      case 'DOC':
        await client.publishAsync(`${prefix}/get`, JSON.stringify(token ? { clientToken: token } : {}), { qos: 1 })
        return 'OK'
      case 'UPDATE': {
        let document: unknown
        try {
          document = JSON.parse(this.unescape(argument))
        } catch (error) {
          if (error instanceof AtError) throw error
          throw new AtError(4, 'PARAMETER ERROR', 'the update is not valid JSON')
        }
        if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new AtError(4, 'PARAMETER ERROR', 'the update must be a JSON object')
        if (token && 'clientToken' in document) throw new AtError(24, 'SHADOW ERROR', 'clientToken given while ShadowToken is set')
        await client.publishAsync(`${prefix}/update`, JSON.stringify(token ? { ...document, clientToken: token } : document), { qos: 1 })
        return 'OK'
      }
      case 'DELETE':
        await client.publishAsync(`${prefix}/delete`, JSON.stringify(token ? { clientToken: token } : {}), { qos: 1 })
        return 'OK'
      case 'SUBSCRIBE':
        client.subscribe(`${prefix}/update/delta`, { qos: 1 }, (error, granted) => {
          const ok = !error && !(granted ?? []).some((g) => g.qos === 128)
          this.queueEvent(ok ? 26 : 27, index, ok ? 'SHADOW SUBACK' : 'SHADOW SUBNACK')
        })
        return 'OK'
      case 'UNSUBSCRIBE':
        client.unsubscribe(`${prefix}/update/delta`)
        return 'OK'
      default:
        throw new AtError(4, 'PARAMETER ERROR', 'expected INIT, DOC, UPDATE, DELETE, SUBSCRIBE, UNSUBSCRIBE or GET …')
    }
  }

  private shadowGet(state: ShadowState | undefined, what: string): string {
    const slot = (s: ShadowResultSlot | undefined): string => (s ? `OK ${s.accepted ? 1 : 0} ${escapeAt(s.payload)}` : 'OK')
    switch (what) {
      case 'DOC':
        return slot(state?.doc)
      case 'UPDATE':
        return slot(state?.update)
      case 'DELETE':
        return slot(state?.delete)
      case 'DELTA': {
        const delta = state?.deltas.shift()
        return delta === undefined ? 'OK' : `OK ${escapeAt(delta)}`
      }
      default:
        throw new AtError(4, 'PARAMETER ERROR', 'expected GET DOC, GET UPDATE, GET DELTA or GET DELETE')
    }
  }

  /** A shadow response for an initialised shadow, taken off the message path; false if not one. */
  private shadowArrived(topic: string, payload: string): boolean {
    const token = this.config.get('ShadowToken')
    if (!token) return false
    for (const [index, state] of this.shadows) {
      const prefix = this.shadowPrefix(index)
      if (topic === `${prefix}/update/delta`) {
        state.deltas.push(payload)
        this.queueEvent(24, index, 'SHADOW DELTA')
        return true
      }
      const match = new RegExp(`^${prefix.replace(/[$/]/g, (c) => `\\${c}`)}/(get|update|delete)/(accepted|rejected)$`).exec(topic)
      if (!match) continue
      let clientToken: unknown
      try {
        clientToken = (JSON.parse(payload) as { clientToken?: unknown }).clientToken
      } catch {
        return true
      }
      if (clientToken !== token) return true
      const result = { accepted: match[2] === 'accepted', payload }
      const op = match[1] as 'get' | 'update' | 'delete'
      if (op === 'get') state.doc = result
      else if (op === 'update') state.update = result
      else state.delete = result
      this.queueEvent(op === 'get' ? 22 : op === 'update' ? 23 : 25, index, op === 'get' ? 'SHADOW DOC' : op === 'update' ? 'SHADOW UPDATE' : 'SHADOW DELETE')
      return true
    }
    return false
  }
}
