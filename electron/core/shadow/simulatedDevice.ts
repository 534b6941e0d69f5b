import { randomUUID } from 'node:crypto'
import type { MqttConnection } from '../mqtt/connection'
import { ShadowClient } from './client'
import { isJsonObject, type JsonObject, type ShadowDelta, type ShadowKey, type ShadowUpdateAccepted } from './document'
import { applyEveryDelta, type DeviceBehaviour } from './deviceBehaviour'
import { ShadowError } from './errors'
import { checkShadowKey } from './names'
import { mergeState } from './reportedState'
import { deltaTopic } from './topics'
import { parseAnswer } from './transport'

// "Act as the device": on a connection made with the thing's own identity, it reports an initial
// state, then answers each delta the way a device does — asks its DeviceBehaviour what to report and
// reports it — automatically (after a delay) or when told to. A delta caused by its own report (the
// service echoes the report's clientToken) is not answered again, so a behaviour that does not apply
// everything cannot loop.

/** `auto`: answer each delta after `delayMs` (newer deltas arriving meanwhile replace it); `manual`: wait for acknowledge(). */
export type DeltaAnswering = { mode: 'auto'; delayMs?: number } | { mode: 'manual' }

export interface SimulatedDeviceOptions {
  /** A connection with the thing's identity (its certificate), as a device has. */
  connection: MqttConnection
  /** The named shadow to act on; the classic shadow without one. */
  shadowName?: string
  /** Reported once at start (merged into what the shadow already reports). */
  initialReported?: JsonObject
  behaviour?: DeviceBehaviour
  answering?: DeltaAnswering
  /** How long a shadow request may take; default 10 s. */
  timeoutMs?: number
  /** Gets every event from the start on, the initial report and a delta found at start included (on() only sees later ones). */
  onEvent?: (event: SimulatedDeviceEvent) => void
}

export type SimulatedDeviceEvent =
  /** A delta arrived (or was found at start); `pending` until answered. */
  | { type: 'delta'; delta: ShadowDelta }
  | { type: 'reported'; patch: JsonObject; accepted: ShadowUpdateAccepted }
  | { type: 'error'; error: ShadowError }

/** How many of its own reports' clientTokens the device remembers, to recognise the deltas they cause. */
const REMEMBERED_TOKENS = 64

export class SimulatedDevice {
  readonly key: ShadowKey
  private state: JsonObject = {}
  private pending: ShadowDelta | undefined
  private lastAnsweredVersion = 0
  private readonly ownTokens: string[] = []
  private readonly listeners = new Set<(event: SimulatedDeviceEvent) => void>()
  private unsubscribeDelta: (() => Promise<void>) | undefined
  private timer: NodeJS.Timeout | undefined
  private reports: Promise<unknown> = Promise.resolve()
  private stopped = false
  private stateOff: (() => void) | undefined

  private constructor(
    private readonly connection: MqttConnection,
    private readonly client: ShadowClient,
    private readonly behaviour: DeviceBehaviour,
    private readonly answering: DeltaAnswering,
    shadowName: string | undefined
  ) {
    const identity = connection.identity
    if (identity.kind !== 'device') throw new ShadowError('InvalidRequestException', 'A simulated device needs a connection made with the thing\'s certificate, not an operator connection.', 'mqtt')
    this.key = shadowName === undefined ? { thingName: identity.thingName } : { thingName: identity.thingName, shadowName }
  }

  /** Subscribes to the delta, reports the initial state, then answers the delta the shadow already has, if any. */
  static async start(options: SimulatedDeviceOptions): Promise<SimulatedDevice> {
    const device = new SimulatedDevice(
      options.connection,
      ShadowClient.overMqtt(options.connection, { timeoutMs: options.timeoutMs }),
      options.behaviour ?? applyEveryDelta,
      options.answering ?? { mode: 'auto' },
      options.shadowName
    )
    checkShadowKey(device.key, 'mqtt')
    if (options.onEvent) device.on(options.onEvent)
    try {
      // QoS 0, and a fresh read of the shadow after every reconnect instead, as AWS advises devices:
      // with QoS 1 the device's PUBACK goes out just before its report, and aws-crt's socket (no
      // TCP_NODELAY) holds the report back ~40 ms for the broker's ACK — measured by bench:shadow.
      device.unsubscribeDelta = await options.connection.subscribe(deltaTopic(device.key), 0, (message) => {
        const body = parseAnswer(message.payload)
        if (body !== undefined) device.onDelta(body as unknown as ShadowDelta)
      })
      device.stateOff = options.connection.onState((state) => {
        if (state.state === 'resumed' && !device.stopped)
          device.catchUp().catch((error: unknown) => device.emit({ type: 'error', error: asShadowError(error) }))
      })
      if (options.initialReported !== undefined) await device.reportNow(options.initialReported)
      await device.catchUp()
    } catch (error) {
      await device.stop()
      throw error
    }
    return device
  }

  /** What the device reports, as far as it knows. */
  get reported(): JsonObject {
    return this.state
  }

  /** The delta waiting for an answer, if any. */
  get pendingDelta(): ShadowDelta | undefined {
    return this.pending
  }

  on(listener: (event: SimulatedDeviceEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Answers the pending delta now (the behaviour decides what to report); undefined when none is pending. */
  async acknowledge(): Promise<ShadowUpdateAccepted | undefined> {
    clearTimeout(this.timer)
    this.timer = undefined
    const delta = this.pending
    if (delta === undefined || this.stopped) return undefined
    this.pending = undefined
    this.lastAnsweredVersion = Math.max(this.lastAnsweredVersion, delta.version)
    const patch = await this.behaviour.onDelta(delta.state, this.state)
    return patch === undefined ? undefined : this.reportNow(patch)
  }

  /** Reports `state` (merged into reported), whatever the delta says. */
  reportNow(state: JsonObject): Promise<ShadowUpdateAccepted> {
    const report = this.reports.then(async () => {
      const clientToken = randomUUID()
      this.ownTokens.push(clientToken)
      if (this.ownTokens.length > REMEMBERED_TOKENS) this.ownTokens.shift()
      const accepted = await this.client.update(this.key, { state: { reported: state } }, { clientToken })
      this.state = mergeState(this.state, state)
      this.emit({ type: 'reported', patch: state, accepted })
      return accepted
    })
    // One report at a time, so the device's own copy follows the order of the shadow's versions.
    this.reports = report.catch(() => undefined)
    return report
  }

  /** Stops answering and unsubscribes; the connection stays its owner's. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    clearTimeout(this.timer)
    this.stateOff?.()
    this.listeners.clear()
    await Promise.all([this.unsubscribeDelta?.().catch(() => undefined), this.reports, this.client.close()])
  }

  /** Takes up what the shadow reports, and its delta: a device coming online answers what it missed. */
  private async catchUp(): Promise<void> {
    try {
      const document = await this.client.get(this.key)
      this.state = document.state.reported ?? {}
      if (isJsonObject(document.state.delta)) this.onDelta({ state: document.state.delta, version: document.version })
    } catch (error) {
      if (!(error instanceof ShadowError && error.code === 404)) throw error
    }
  }

  private onDelta(delta: ShadowDelta): void {
    if (this.stopped || typeof delta.version !== 'number' || !isJsonObject(delta.state)) return
    if (delta.clientToken !== undefined && this.ownTokens.includes(delta.clientToken)) return
    if (delta.version <= this.lastAnsweredVersion || (this.pending !== undefined && delta.version <= this.pending.version)) return
    this.pending = delta
    this.emit({ type: 'delta', delta })
    if (this.answering.mode === 'auto' && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined
        this.acknowledge().catch((error: unknown) => this.emit({ type: 'error', error: asShadowError(error) }))
      }, this.answering.delayMs ?? 0)
    }
  }

  private emit(event: SimulatedDeviceEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}

function asShadowError(error: unknown): ShadowError {
  return error instanceof ShadowError ? error : new ShadowError('DeviceError', `The device could not answer the delta: ${(error as Error).message}`, 'mqtt', undefined, { cause: error })
}
