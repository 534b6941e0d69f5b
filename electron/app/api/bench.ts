import { randomUUID } from 'node:crypto'
import { DescribeThingCommand } from '@aws-sdk/client-iot'
import type { BenchView, BridgeEventView, Connection, EndedBecause, Handlers, ParsedArgs } from '../../contract'
import type { BridgeEvent, ShadowBridge } from '../../core/bench/bridge'
import { ExpressLinkBridge } from '../../core/bench/expressLinkBridge'
import { JsonLinesBridge } from '../../core/bench/jsonLinesBridge'
// Not core/mqtt's index: that loads aws-crt, which the back end loads on first MQTT use only.
import { DeviceCredentialsError } from '../../core/mqtt/deviceCredentials'
import { defaultPortSettings, type PortHandle } from '../../core/serial'
import { describeShadow } from '../../core/shadow'
import type { BackendContext } from './context'
import { BackendError, invalidArguments } from './errors'
import { describeEnd, sameConnection, type HeldConnection, type MqttLeases } from './mqttLeases'
import type { SerialHandlers } from './serial'
import { keyOf } from './shadow'
import type { ShadowAnswerers } from './shadowAnswerers'

// bench.*: a serial board attached to a thing's shadow through a bridge (core/bench). The port is
// held under "bench: <thing>", so the serial list says who has it; a JSON-lines bench also holds the
// thing's own MQTT connection (its vault key). Everything a bridge tells goes to the UI as
// bench.event, with the bench's view as it is after the event.

/** The latency figures are over this many recent matches. */
const latencySamples = 100

interface AttachedBench {
  view: BenchView
  latencies: number[]
  handle: PortHandle
  /** The thing's connection (JSON lines); an ExpressLink module holds its own. */
  held?: HeldConnection
  opened: Connection
  bridge?: ShadowBridge
  stopWatchingConnection?: () => void
  /** An event about it has reached the UI (so a failed attach is said to have ended). */
  announced: boolean
  /** Lets a simulated device or another bench answer this shadow again. */
  releaseShadow: () => void
}

export const benchOwner = (thingName: string): string => `bench: ${thingName}`

export class BenchHandlers {
  private readonly benches = new Map<string, AttachedBench>()

  constructor(
    private readonly ctx: BackendContext,
    private readonly leases: MqttLeases,
    private readonly serial: SerialHandlers,
    private readonly answerers: ShadowAnswerers
  ) {}

  handlers(): Pick<Handlers, 'bench.attach' | 'bench.detach' | 'bench.list'> {
    return {
      'bench.attach': (args) => this.attach(args),
      'bench.detach': async ({ benchId }) => {
        if (!this.benches.has(benchId)) throw invalidArguments('bench.detach', 'benchId', `there is no bench ${benchId} (it was never attached, or is detached already)`)
        await this.detach(benchId, 'asked')
        return { detached: true }
      },
      'bench.list': async () => [...this.benches.values()].map((bench) => ({ ...bench.view }))
    }
  }

  /** Detaches the benches attached on another connection than `now`, saying so. */
  async connectionChanged(now: Connection): Promise<void> {
    const old = [...this.benches.entries()].filter(([, bench]) => !sameConnection(bench.opened, now))
    await Promise.all(old.map(([benchId]) => this.detach(benchId, 'connectionChanged')))
  }

  /** The app is closing: every bench detaches and releases its port. */
  async close(): Promise<void> {
    await Promise.all([...this.benches.keys()].map((benchId) => this.detach(benchId, 'closing')))
  }

  private async attach({ portPath, thingName, shadowName, driver, settings }: ParsedArgs<'bench.attach'>): Promise<BenchView> {
    const benchId = randomUUID()
    const releaseShadow = this.answerers.claim(keyOf({ thingName, shadowName }), {
      errorName: 'BenchAlreadyAttached',
      message: `${portPath} is already attached to ${describeShadow(keyOf({ thingName, shadowName }))} (bench ${benchId}); two would answer every delta twice: detach it first`
    })
    const opened = this.ctx.connection()
    let handle: PortHandle
    try {
      await this.assertThingExists(thingName)
      handle = await (await this.serial.ports()).acquire(portPath, benchOwner(thingName), settings ?? defaultPortSettings)
    } catch (error) {
      releaseShadow()
      throw error
    }
    const bench: AttachedBench = {
      view: { benchId, portPath, thingName, ...(shadowName === undefined ? {} : { shadowName }), driver, state: 'attached', reason: 'attaching' },
      latencies: [],
      handle,
      opened,
      announced: false,
      releaseShadow
    }
    this.benches.set(benchId, bench)
    try {
      bench.bridge = driver === 'jsonLines' ? await this.jsonLinesBridge(bench) : await this.expressLinkBridge(bench)
    } catch (error) {
      this.benches.delete(benchId)
      await this.letGo(bench)
      if (bench.announced) this.emit(bench, { type: 'detached', reason: `attaching failed: ${(error as Error).message}` })
      throw error
    }
    return { ...bench.view }
  }

  /** ThingBench connects as the thing (its vault key) and relays between the shadow and the board. */
  private async jsonLinesBridge(bench: AttachedBench): Promise<ShadowBridge> {
    const { thingName, shadowName, benchId } = bench.view
    const held = await this.thingConnection(thingName)
    bench.held = held
    const bridge = await JsonLinesBridge.attach({
      handle: bench.handle,
      connection: held.connection,
      ...(shadowName === undefined ? {} : { shadowName }),
      onEvent: (event) => this.onBridgeEvent(bench, event)
    })
    bench.stopWatchingConnection = held.connection.onState((state) => {
      if (state.state === 'closed') this.leases.inBackground('Detaching a bench', this.detach(benchId, 'connectionClosed'))
    })
    return bridge
  }

  /** The module holds its own connection and names its own thing: it must be the thing asked for. */
  private async expressLinkBridge(bench: AttachedBench): Promise<ShadowBridge> {
    const { thingName, shadowName, portPath } = bench.view
    let bridge: ExpressLinkBridge
    try {
      bridge = await ExpressLinkBridge.attach({ handle: bench.handle, ...(shadowName === undefined ? {} : { shadowName }), onEvent: (event) => this.onBridgeEvent(bench, event) })
    } catch (error) {
      // The driver's and the bridge's errors say what the module answered and what to do.
      if (error instanceof Error && error.name.startsWith('ExpressLink')) throw new BackendError(error.name, error.message)
      throw error
    }
    const moduleThing = bridge.key?.thingName
    if (moduleThing !== thingName) {
      await bridge.detach()
      throw new BackendError(
        'ThingMismatch',
        `The ExpressLink module on ${portPath} is thing ${moduleThing ?? '(unnamed)'}, not ${thingName}: open ${moduleThing ?? 'its'} shadow in the inspector to attach it there`
      )
    }
    return bridge
  }

  private async assertThingExists(thingName: string): Promise<void> {
    try {
      await (await this.ctx.iot()).send(new DescribeThingCommand({ thingName }))
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException')
        throw new BackendError('ResourceNotFoundException', `Thing ${thingName} does not exist on this connection: check the name, or provision it first (the Provision view)`)
      throw error
    }
  }

  /** The thing's own connection; no key in the vault is said with what to do instead. */
  private async thingConnection(thingName: string): Promise<HeldConnection> {
    try {
      return await this.leases.device(thingName)
    } catch (error) {
      if (error instanceof DeviceCredentialsError)
        throw new BackendError(
          'NoKeyInVault',
          `${error.message}. A JSON-lines bench connects as ${thingName} with a key from the vault: provision the thing with a local key (the Provision view, a key made here), or use the ExpressLink driver (the module connects with its own key)`
        )
      throw error
    }
  }

  private onBridgeEvent(bench: AttachedBench, event: BridgeEvent): void {
    const view = bench.view
    if (event.type === 'state') {
      view.state = event.state
      view.reason = event.reason
    } else if (event.type === 'latency') {
      bench.latencies = [...bench.latencies, event.ms].slice(-latencySamples)
      view.latency = { lastMs: event.ms, p50Ms: median(bench.latencies), samples: bench.latencies.length }
    } else if (event.type === 'error') view.lastError = event.message
    this.emit(bench, event)
  }

  private async detach(benchId: string, because: EndedBecause): Promise<void> {
    const bench = this.benches.get(benchId)
    if (!bench) return
    this.benches.delete(benchId)
    await this.letGo(bench)
    this.emit(bench, { type: 'detached', reason: `${bench.view.portPath} detached from ${bench.view.thingName}: ${describeEnd(because)}` })
  }

  /** Bridge first (it stops writing to the port), then the port, then the connection. */
  private async letGo(bench: AttachedBench): Promise<void> {
    bench.stopWatchingConnection?.()
    await bench.bridge?.detach()
    await bench.handle.release()
    await bench.held?.release()
    bench.releaseShadow()
  }

  private emit(bench: AttachedBench, event: BridgeEventView): void {
    bench.announced = true
    this.ctx.events.emit('bench.event', { benchId: bench.view.benchId, event, bench: { ...bench.view } })
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2)
}
