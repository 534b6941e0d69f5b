import { randomUUID } from 'node:crypto'
import type { Connection, DeviceChange, DeviceView, EndedBecause, Handlers, ParsedArgs, ShadowKeyView } from '../../contract'
import { describeShadow, SimulatedDevice, type SimulatedDeviceEvent } from '../../core/shadow'
import type { BackendContext } from './context'
import { invalidArguments } from './errors'
import { describeConnectionState, describeEnd, sameConnection, type HeldConnection, type MqttLeases } from './mqttLeases'
import { keyOf } from './shadow'
import type { ShadowAnswerers } from './shadowAnswerers'

// device.*: "act as the device". Each simulated device runs on the thing's own MQTT connection
// (mutual TLS with the certificate and the vault key; shared with mqtt.* used as that thing), and
// what it receives and does goes to the UI as device.event.

interface DeviceRef extends ShadowKeyView {
  deviceId: string
}

interface Running {
  deviceId: string
  device: SimulatedDevice
  held: HeldConnection
  answering: DeviceView['answering']
  stopWatchingState: () => void
  /** Lets another device or a bench answer this shadow again. */
  releaseShadow: () => void
}

export class DeviceHandlers {
  private readonly running = new Map<string, Running>()

  constructor(
    private readonly ctx: BackendContext,
    private readonly leases: MqttLeases,
    private readonly answerers: ShadowAnswerers
  ) {}

  handlers(): Pick<Handlers, 'device.start' | 'device.list' | 'device.acknowledge' | 'device.report' | 'device.stop'> {
    return {
      'device.start': (args) => this.start(args),
      'device.list': async () => [...this.running.values()].map(view),
      'device.acknowledge': async ({ deviceId }) => ({ accepted: (await this.find('device.acknowledge', deviceId).device.acknowledge()) ?? null }),
      'device.report': async ({ deviceId, reported }) => ({ accepted: await this.find('device.report', deviceId).device.reportNow(reported) }),
      'device.stop': async ({ deviceId }) => {
        this.find('device.stop', deviceId)
        await this.stop(deviceId, 'asked')
        return { stopped: true }
      }
    }
  }

  /** Stops the devices started on another connection than `now`, saying so. */
  async connectionChanged(now: Connection): Promise<void> {
    const old = [...this.running.values()].filter((running) => !sameConnection(running.held.opened, now))
    await Promise.all(old.map((running) => this.stop(running.deviceId, 'connectionChanged')))
  }

  async close(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stop(id, 'closing')))
  }

  private async start({ thingName, shadowName, initialReported, answering }: ParsedArgs<'device.start'>): Promise<DeviceView> {
    const key = keyOf({ thingName, shadowName })
    const deviceId = randomUUID()
    const releaseShadow = this.answerers.claim(key, {
      errorName: 'DeviceAlreadyRunning',
      message: `A simulated device already acts on ${describeShadow(key)} (device ${deviceId}); two would answer every delta twice: stop it first, or use that one`
    })
    let held: HeldConnection
    try {
      held = await this.leases.device(thingName)
    } catch (error) {
      releaseShadow()
      throw error
    }
    const answeringView: DeviceView['answering'] = answering
    let device: SimulatedDevice
    try {
      device = await SimulatedDevice.start({
        connection: held.connection,
        ...(shadowName === undefined ? {} : { shadowName }),
        ...(initialReported === undefined ? {} : { initialReported }),
        answering,
        // From the start on: the initial report and a delta that was waiting are events too.
        onEvent: (event) => this.onDeviceEvent({ deviceId, ...key }, answeringView, event)
      })
    } catch (error) {
      await held.release()
      releaseShadow()
      throw error
    }
    const running: Running = {
      deviceId,
      device,
      held,
      releaseShadow,
      answering: answeringView,
      stopWatchingState: held.connection.onState((state) => {
        this.emit({ deviceId, ...key }, { type: 'connection', state }, describeConnectionState(held.connection.identity, state))
        if (state.state === 'closed') this.leases.inBackground('Stopping a simulated device', this.stop(deviceId, 'connectionClosed'))
      })
    }
    this.running.set(deviceId, running)
    return view(running)
  }

  private onDeviceEvent(ref: DeviceRef, answering: DeviceView['answering'], event: SimulatedDeviceEvent): void {
    switch (event.type) {
      case 'delta': {
        const next = answering.mode === 'manual' ? 'waiting to be accepted' : `answering in ${answering.delayMs} ms`
        return this.emit(ref, { type: 'delta', delta: event.delta }, `Delta at version ${event.delta.version}: ${JSON.stringify(event.delta.state)} (${next})`)
      }
      case 'reported':
        return this.emit(ref, { type: 'reported', patch: event.patch, accepted: event.accepted }, `Reported ${JSON.stringify(event.patch)}: the shadow is at version ${event.accepted.version}`)
      case 'error':
        return this.emit(ref, { type: 'error', errorName: event.error.errorName }, event.error.message)
    }
  }

  private find(method: string, deviceId: string): Running {
    const running = this.running.get(deviceId)
    if (!running) throw invalidArguments(method, 'deviceId', `there is no simulated device ${deviceId} (it was never started, or has stopped)`)
    return running
  }

  private async stop(deviceId: string, because: EndedBecause): Promise<void> {
    const running = this.running.get(deviceId)
    if (!running) return
    this.running.delete(deviceId)
    running.stopWatchingState()
    await running.device.stop()
    await running.held.release()
    running.releaseShadow()
    this.emit({ deviceId, ...running.device.key }, { type: 'stopped', because }, `The simulated device on ${describeShadow(running.device.key)} stopped: ${describeEnd(because)}`)
  }

  private emit({ deviceId, thingName, shadowName }: DeviceRef, change: DeviceChange, message: string): void {
    this.ctx.events.emit('device.event', { deviceId, thingName, ...(shadowName === undefined ? {} : { shadowName }), change, message })
  }
}

function view(running: Running): DeviceView {
  const { device, held } = running
  const pendingDelta = device.pendingDelta
  return {
    deviceId: running.deviceId,
    ...device.key,
    clientId: held.connection.identity.clientId,
    answering: running.answering,
    reported: device.reported,
    ...(pendingDelta === undefined ? {} : { pendingDelta }),
    connection: held.connection.current
  }
}
