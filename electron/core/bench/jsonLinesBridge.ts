import type { MqttConnection } from '../mqtt/connection'
import { JsonLinesDriver } from '../serial/drivers/jsonLines'
import type { PortHandle } from '../serial/portHandle'
import { ShadowClient, SimulatedDevice, type JsonObject, type ShadowKey } from '../shadow'
import type { BridgeEvent, ShadowBridge } from './bridge'

// The bench for a JSON-lines board: ThingBench connects AS the device (the thing's own MQTT
// connection) and the board is the SimulatedDevice's behaviour — each delta goes down the cable, and
// each `reported` the board sends becomes exactly one reported update. Resilience: a vanished port
// (cable pulled) and a board reset (its boot `hello`) end with the shadow read again and the whole
// desired state sent once; an MQTT drop is resumed by SimulatedDevice's own catch-up (it re-reads
// the shadow and answers a delta it has not answered, never one twice).

export interface JsonLinesBridgeOptions {
  handle: PortHandle
  /** The thing's own connection (its certificate and vault key). */
  connection: MqttConnection
  shadowName?: string
  onEvent(event: BridgeEvent): void
}

const resyncSettleMs = 150

interface Awaiting {
  wanted: JsonObject
  version: number
  since: number
}

export class JsonLinesBridge implements ShadowBridge {
  private driver: JsonLinesDriver | undefined
  private device: SimulatedDevice | undefined
  private readonly awaiting: Awaiting[] = []
  private readonly stopWatchingPort: () => void
  private stopped = false
  private resyncTimer: NodeJS.Timeout | undefined
  private stopWatchingConnection: (() => void) | undefined

  private constructor(private readonly options: JsonLinesBridgeOptions) {
    const onState = ({ state, reason }: { state: string; reason: string }): void => {
      if (state === 'vanished') {
        this.driver?.detach()
        this.driver = undefined
        this.emit({ type: 'state', state: 'device-gone', reason })
      } else if (state === 'reopened') {
        this.attachDriver()
        this.resync(`the port is back (${reason})`)
      }
    }
    options.handle.on('state', onState)
    this.stopWatchingPort = () => options.handle.off('state', onState)
  }

  static async attach(options: JsonLinesBridgeOptions): Promise<JsonLinesBridge> {
    const bridge = new JsonLinesBridge(options)
    bridge.attachDriver()
    try {
      bridge.device = await SimulatedDevice.start({
        connection: options.connection,
        ...(options.shadowName === undefined ? {} : { shadowName: options.shadowName }),
        behaviour: { onDelta: (delta) => bridge.relay(delta) },
        onEvent: (event) => {
          if (event.type === 'delta') {
            bridge.awaiting.push({ wanted: event.delta.state, version: event.delta.version, since: Date.now() })
            bridge.emit({ type: 'delta', state: event.delta.state, version: event.delta.version })
          } else if (event.type === 'reported') bridge.matched(event.accepted.version)
          else bridge.emit({ type: 'error', message: event.error.message })
        },
        answering: { mode: 'auto', delayMs: 0 }
      })
    } catch (error) {
      bridge.stopWatchingPort()
      bridge.driver?.detach()
      throw error
    }
    bridge.stopWatchingConnection = options.connection.onState((state) => {
      if (state.state === 'interrupted') bridge.emit({ type: 'state', state: 'device-gone', reason: `the MQTT connection dropped${'reason' in state && state.reason ? ` (${state.reason})` : ''}` })
      if (state.state === 'resumed') bridge.emit({ type: 'state', state: 'resumed', reason: 'the MQTT connection is back: the shadow was read again' })
    })
    bridge.emit({ type: 'state', state: 'attached', reason: `${options.handle.path} attached to ${options.connection.identity.kind === 'device' ? options.connection.identity.thingName : '?'}` })
    return bridge
  }

  get key(): ShadowKey | undefined {
    return this.device?.key
  }

  async detach(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    clearTimeout(this.resyncTimer)
    this.stopWatchingConnection?.()
    this.stopWatchingPort()
    this.driver?.detach()
    await this.device?.stop()
  }

  private attachDriver(): void {
    const driver = new JsonLinesDriver(this.options.handle.stream, { baudRate: this.options.handle.settings.baudRate })
    // One reported update per device report: the board's own words, merged into reported.
    driver.on('reported', ({ state }) => {
      if (this.device && !this.stopped) this.device.reportNow(state as JsonObject).catch((error: unknown) => this.emit({ type: 'error', message: (error as Error).message }))
    })
    driver.on('hello', ({ re }) => {
      if (re === undefined) this.resync('the board restarted (it said hello)')
    })
    this.driver = driver
  }

  /** The delta to the board; what it then reports is reported by the `reported` listener, so nothing here. */
  private async relay(delta: JsonObject): Promise<undefined> {
    await this.driver?.sendDelta(delta).catch((error: unknown) => this.emit({ type: 'error', message: (error as Error).message }))
    return undefined
  }

  /** After a reset or a replug: the shadow's whole desired state, read now, sent once. */
  private resync(reason: string): void {
    // A replugged board is reopened AND says hello: one resend for both, not two.
    clearTimeout(this.resyncTimer)
    this.resyncTimer = setTimeout(() => this.resyncNow(reason), resyncSettleMs)
  }

  private resyncNow(reason: string): void {
    const device = this.device
    if (!device || this.stopped) return
    const client = ShadowClient.overMqtt(this.options.connection)
    void client
      .get(device.key)
      .then(async (document) => {
        const desired = document.state.desired ?? {}
        if (Object.keys(desired).length > 0) await this.driver?.sendDesired(desired, document.version)
        this.emit({ type: 'state', state: 'resumed', reason: `${reason}: desired state sent again at version ${document.version}` })
      })
      .catch((error: unknown) => this.emit({ type: 'error', message: `${reason}, but resuming failed: ${(error as Error).message}` }))
      .finally(() => void client.close())
  }

  private matched(version: number): void {
    const reported = this.device?.reported ?? {}
    this.emit({ type: 'reported', state: reported, version })
    for (let i = this.awaiting.length - 1; i >= 0; i--) {
      const wish = this.awaiting[i]!
      if (Object.entries(wish.wanted).every(([k, v]) => v === null || JSON.stringify(reported[k]) === JSON.stringify(v))) {
        this.awaiting.splice(i, 1)
        this.emit({ type: 'latency', ms: Date.now() - wish.since, version: wish.version })
      }
    }
  }

  private emit(event: BridgeEvent): void {
    this.options.onEvent(event)
  }
}
