import {
  ExpressLinkClosedError,
  ExpressLinkCommandError,
  ExpressLinkDriver,
  ExpressLinkTimeoutError,
  ExpressLinkWriteError,
  eventIds,
  type ExpressLinkEvent
} from '../serial/drivers/expresslink'
import type { PortHandle, PortStateChange } from '../serial/portHandle'
import { isJsonObject, type JsonObject, type ShadowKey } from '../shadow/document'
import { mergeState } from '../shadow/reportedState'
import type { BridgeEvent, ShadowBridge } from './bridge'

// The bench for an AWS IoT ExpressLink module: the module holds the MQTT connection itself and the
// bench drives it over AT (research/expresslink.md §7.7, §14). A timer polls AT+EVENT? through the
// driver's channel (one command in flight); each delta the module receives is answered the way the
// module's host MCU would, by reporting the delta's state back with SHADOW UPDATE. A pulled cable,
// a module reset or its lost connection end in a bring-up again (CONNECT if needed, INIT,
// SUBSCRIBE, DOC) that answers an outstanding delta once: deltas are deduplicated by shadow
// version, and one only counts as answered when AWS accepted the update.

export interface ExpressLinkBridgeOptions {
  handle: PortHandle
  /** A named shadow (the module's Shadow1); the classic shadow when absent. */
  shadowName?: string
  onEvent(event: BridgeEvent): void
  /** How often AT+EVENT? is asked (default 100 ms). */
  pollIntervalMs?: number
  /** How long a short command (EVENT?, GET, CONF) may take before the module counts as gone (default 2 s). */
  commandTimeoutMs?: number
  /** How long after a failed bring-up the next is tried (default 2 s). */
  retryMs?: number
}

/** Why a module cannot be bridged (not onboarded, cannot connect, another module on the port). */
export class ExpressLinkBridgeError extends Error {
  override readonly name = 'ExpressLinkBridgeError'
}

interface DeltaDocument {
  state: JsonObject
  version: number
}

const DEFAULT_POLL_MS = 100
const DEFAULT_COMMAND_MS = 2_000
const DEFAULT_RETRY_MS = 2_000
/** Named shadows go in Shadow1 (research §7.7: index n is the Shadow{n} entry; 0 the classic shadow). */
const NAMED_SHADOW_INDEX = 1

function asDelta(value: unknown): DeltaDocument | undefined {
  if (!isJsonObject(value) || !isJsonObject(value['state']) || typeof value['version'] !== 'number') return undefined
  return { state: value['state'], version: value['version'] }
}

export class ExpressLinkBridge implements ShadowBridge {
  private driver: ExpressLinkDriver | undefined
  private thingName: string | undefined
  private reported: JsonObject | undefined
  /** The newest delta version whose update AWS accepted: older or equal ones are already answered. */
  private answeredVersion = 0
  /** The newest delta version told as a 'delta' event (a retried answer is not told twice). */
  private toldVersion = 0
  /** Why the module must be brought up again; undefined while all is well. */
  private resumeReason: string | undefined
  private resumeAt = 0
  private lastResumeError: string | undefined
  private timer: NodeJS.Timeout | undefined
  private work: Promise<void> = Promise.resolve()
  private stopped = false
  private readonly stopWatchingPort: () => void

  private constructor(private readonly options: ExpressLinkBridgeOptions) {
    const onState = (change: PortStateChange): void => {
      if (change.state === 'vanished') {
        this.driver?.detach()
        this.driver = undefined
        this.emit({ type: 'state', state: 'device-gone', reason: change.reason })
      } else if (change.state === 'reopened') {
        this.driver?.detach()
        this.driver = this.newDriver()
        // The module may have reset with the replug: bring it up again from the start.
        this.resumeReason = `the port is back (${change.reason})`
        this.resumeAt = Date.now()
      }
    }
    options.handle.on('state', onState)
    this.stopWatchingPort = () => options.handle.off('state', onState)
  }

  /**
   * Drives the onboarded module on `handle`: connects it if it is not, initialises its shadow,
   * subscribes to deltas and answers any outstanding one. Rejects with ExpressLinkBridgeError
   * (or the driver's error) and leaves polling off when the module cannot be bridged.
   */
  static async attach(options: ExpressLinkBridgeOptions): Promise<ExpressLinkBridge> {
    const bridge = new ExpressLinkBridge(options)
    bridge.driver = bridge.newDriver()
    try {
      await bridge.bringUp(bridge.driver)
    } catch (error) {
      bridge.stopWatchingPort()
      bridge.driver?.detach()
      throw error
    }
    bridge.emit({ type: 'state', state: 'attached', reason: `${options.handle.path} attached: the module drives ${bridge.shadowDescription()}` })
    bridge.schedule()
    return bridge
  }

  get key(): ShadowKey | undefined {
    if (this.thingName === undefined) return undefined
    return this.options.shadowName === undefined ? { thingName: this.thingName } : { thingName: this.thingName, shadowName: this.options.shadowName }
  }

  async detach(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    clearTimeout(this.timer)
    await this.work
    this.stopWatchingPort()
    const driver = this.driver
    this.driver = undefined
    if (!driver) return
    // The module keeps its connection (it is its own); only the bench's subscription ends.
    await driver.unsubscribeShadowDeltas(this.index).catch(() => undefined)
    driver.detach()
  }

  private newDriver(): ExpressLinkDriver {
    return new ExpressLinkDriver(this.options.handle.stream, { commandTimeoutMs: this.options.commandTimeoutMs ?? DEFAULT_COMMAND_MS })
  }

  private get index(): number | undefined {
    return this.options.shadowName === undefined ? undefined : NAMED_SHADOW_INDEX
  }

  private shadowDescription(): string {
    const thing = this.thingName ?? '?'
    return this.options.shadowName === undefined ? `the classic shadow of ${thing}` : `the shadow "${this.options.shadowName}" of ${thing}`
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.work = this.tick().finally(() => this.schedule())
    }, this.options.pollIntervalMs ?? DEFAULT_POLL_MS)
  }

  private needsResume(reason: string, afterMs: number): void {
    this.resumeReason ??= reason
    this.resumeAt = Date.now() + afterMs
  }

  private async tick(): Promise<void> {
    const driver = this.driver
    if (!driver || this.stopped) return
    try {
      if (this.resumeReason !== undefined) {
        if (Date.now() < this.resumeAt) return
        await this.resume(driver)
        return
      }
      await this.handle(driver, await driver.pollEvents())
    } catch (error) {
      // A driver replaced or dropped meanwhile means the port went: its 'state' event said so already.
      if (driver !== this.driver || this.stopped) return
      const message = (error as Error).message
      // The port failing under a poll is a cable pulled: the port's own 'state' event says so (now or
      // a moment later), once; the resume tries again, and says so if the module is still not there.
      if (error instanceof ExpressLinkWriteError || error instanceof ExpressLinkClosedError) {
        this.needsResume(`after the port failed (${message})`, this.options.retryMs ?? DEFAULT_RETRY_MS)
        return
      }
      // A module that stopped answering is gone for now (reset, hung, power lost), not just wrong once.
      if (error instanceof ExpressLinkTimeoutError) this.emit({ type: 'state', state: 'device-gone', reason: message })
      else this.emit({ type: 'error', message })
      this.needsResume(error instanceof ExpressLinkTimeoutError ? 'the module is answering again after it went silent' : `after an error (${message})`, this.options.retryMs ?? DEFAULT_RETRY_MS)
    }
  }

  private async resume(driver: ExpressLinkDriver): Promise<void> {
    const reason = this.resumeReason!
    try {
      await this.bringUp(driver)
    } catch (error) {
      if (driver !== this.driver || this.stopped) return
      const message = `${reason}, but the module could not be brought up again: ${(error as Error).message} Trying again.`
      // Each new reason once: a module that stays unreachable does not flood the event list.
      if (message !== this.lastResumeError) this.emit({ type: 'error', message })
      this.lastResumeError = message
      this.resumeAt = Date.now() + (this.options.retryMs ?? DEFAULT_RETRY_MS)
      return
    }
    if (driver !== this.driver) return
    this.resumeReason = undefined
    this.lastResumeError = undefined
    this.emit({ type: 'state', state: 'resumed', reason: `${reason}: the module's shadow was initialised and read again` })
  }

  /** Connect if need be, init and subscribe, read the shadow, answer what is outstanding. */
  private async bringUp(driver: ExpressLinkDriver): Promise<void> {
    const path = this.options.handle.path
    // A real module needs a few seconds after power-up before it answers (research §13.12).
    await driver.attention(5, 1_000)
    const thingName = await driver.read('ThingName')
    if (this.thingName !== undefined && thingName !== this.thingName)
      throw new ExpressLinkBridgeError(`Another module (thing ${thingName}) is on ${path} now, not ${this.thingName}: detach the bench and attach this module on its own.`)
    this.thingName = thingName
    // What was queued before (boot, an old connection lost, deltas) is superseded by the shadow read below.
    await driver.pollEvents()
    const status = await driver.connectionStatus()
    if (!status.onboarded)
      throw new ExpressLinkBridgeError(
        `The module on ${path} (thing ${thingName}) is not onboarded: its Endpoint is still the vendor's staging endpoint, so it has no connection to your account's shadows. Onboard it over the cable first, then attach it.`
      )
    if (!status.connected) {
      try {
        await driver.connect()
      } catch (error) {
        if (error instanceof ExpressLinkCommandError && error.code === 14)
          throw new ExpressLinkBridgeError(`The module on ${path} (thing ${thingName}) could not connect to AWS IoT, so the bench cannot drive its shadow. ${error.message}`)
        throw error
      }
    }
    if (this.options.shadowName !== undefined) await driver.configure({ [`Shadow${NAMED_SHADOW_INDEX}`]: this.options.shadowName })
    await driver.initShadow(this.index)
    await driver.subscribeShadowDeltas(this.index)
    const heardAt = Date.now()
    const read = await driver.getShadow(this.index)
    const document = isJsonObject(read.document) ? read.document : {}
    // AWS rejects a get for a shadow that does not exist yet (404): nothing reported, nothing outstanding.
    if (!read.accepted && document['code'] !== 404) throw new ExpressLinkBridgeError(`AWS refused to give the module ${this.shadowDescription()}: ${JSON.stringify(read.document)}`)
    const state = read.accepted && isJsonObject(document['state']) ? document['state'] : {}
    const version = typeof document['version'] === 'number' ? document['version'] : 0
    const reported = isJsonObject(state['reported']) ? state['reported'] : {}
    // The module's reported state as it is, told at attach and whenever it changed while the bench was not looking.
    if (JSON.stringify(reported) !== JSON.stringify(this.reported)) {
      this.reported = reported
      this.emit({ type: 'reported', state: reported, version })
    }
    if (isJsonObject(state['delta']) && Object.keys(state['delta']).length > 0) await this.answer(driver, { state: state['delta'], version }, heardAt)
    // Events that came while bringing up: a lost connection or a restart among them means it did not hold.
    const late = await driver.pollEvents()
    if (late.some((e) => e.id === eventIds.connectionLost || e.id === eventIds.startup) && !(await driver.connectionStatus()).connected)
      throw new ExpressLinkBridgeError(`The module on ${path} lost its connection again while it was being brought up.`)
    await this.handle(driver, late.filter((e) => e.id !== eventIds.connectionLost && e.id !== eventIds.startup))
  }

  private async handle(driver: ExpressLinkDriver, events: ExpressLinkEvent[]): Promise<void> {
    const index = this.index ?? 0
    for (const event of events) {
      if (event.id === eventIds.startup || event.id === eventIds.connectionLost) {
        const reason = event.id === eventIds.startup ? 'the module restarted' : 'the module lost its connection to AWS IoT'
        this.emit({ type: 'state', state: 'device-gone', reason: `${reason} (event ${event.id} ${event.text || event.meaning})` })
        this.needsResume(reason, 0)
        return
      }
    }
    if (!events.some((e) => e.id === eventIds.shadowDelta && e.param === index)) return
    // One event per delta, but the queue is what counts: read it until it is empty.
    for (;;) {
      const heardAt = Date.now()
      const raw = await driver.nextShadowDelta(this.index)
      if (raw === undefined) return
      const delta = asDelta(raw)
      if (!delta) this.emit({ type: 'error', message: `The module gave a delta that is not a shadow delta document: ${JSON.stringify(raw).slice(0, 200)}` })
      else await this.answer(driver, delta, heardAt)
    }
  }

  /** The module, as the device, reports the delta's state back; once per shadow version. */
  private async answer(driver: ExpressLinkDriver, delta: DeltaDocument, heardAt: number): Promise<void> {
    if (delta.version <= this.answeredVersion) return
    if (delta.version > this.toldVersion) {
      this.toldVersion = delta.version
      this.emit({ type: 'delta', state: delta.state, version: delta.version })
    }
    const result = await driver.updateShadow({ state: { reported: delta.state } }, this.index)
    this.answeredVersion = Math.max(this.answeredVersion, delta.version)
    const accepted = isJsonObject(result.document) ? result.document : {}
    if (!result.accepted) {
      // A refusal is AWS's answer, not a lost message: retrying would be refused the same way.
      this.emit({ type: 'error', message: `AWS rejected the module's report for version ${delta.version}: ${JSON.stringify(result.document)}` })
      return
    }
    this.reported = mergeState(this.reported ?? {}, delta.state)
    this.emit({ type: 'reported', state: this.reported, version: typeof accepted['version'] === 'number' ? accepted['version'] : delta.version })
    this.emit({ type: 'latency', ms: Date.now() - heardAt, version: delta.version })
  }

  private emit(event: BridgeEvent): void {
    this.options.onEvent(event)
  }
}
