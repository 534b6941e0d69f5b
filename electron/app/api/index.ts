import { createEventHub, type ConnectionChoice, type EventHub, type Handlers } from '../../contract'
import { HeldPrivateKeys } from '../heldPrivateKeys'
import { HistoryRecorder } from '../historyRecorder'
import type { AppSession } from '../session'
import { appInfoHandler } from './appInfo'
import { BenchHandlers } from './bench'
import { ShadowAnswerers } from './shadowAnswerers'
import { certificateHandlers } from './certificates'
import { ConnectionState } from './connections'
import type { BackendContext } from './context'
import { DeviceHandlers } from './device'
import { deviceEndpointHandler } from './deviceEndpoint'
import { deviceWriteHandler } from './deviceWrite'
import type { NativeDialogs } from './dialogs'
import { readableError } from './errors'
import { exportBundleHandler } from './exportBundle'
import { fileHandlers } from './files'
import { groupHandlers } from './groups'
import { historyHandlers } from './history'
import { MqttHandlers } from './mqtt'
import { MqttLeases } from './mqttLeases'
import { onboardingHandlers } from './onboarding'
import { policyHandlers } from './policies'
import { ProvisioningRuns } from './provisioning'
import { refusalHandlers } from './refusals'
import { SerialHandlers } from './serial'
import { ShadowHandlers } from './shadow'
import { thingHandlers } from './things'
import { thingTypeHandlers } from './thingTypes'

export type { NativeDialogs } from './dialogs'
export { BackendError } from './errors'

export interface ApiBackendOptions {
  /** Owned by the caller, who closes it after the back end. */
  session: AppSession
  runtime: 'electron' | 'browser'
  version: string
  /** Native dialogs where the runtime has them (Electron); without them, exports go to <home>/exports and endpoints cannot be added from the UI. */
  dialogs?: NativeDialogs
}

export interface ApiBackend {
  handlers: Handlers
  events: EventHub
  /**
   * Cancels running provisioning runs and waits for their undo; stops the shadow watches, simulated
   * devices and subscriptions. Does not close the session.
   */
  close(): Promise<void>
}

/**
 * The back end of the contract, the same for Electron's IPC and the headless WebSocket: one handler
 * per method of electron/contract/api.ts, working on the connection the UI chose.
 */
export function createApiBackend(options: ApiBackendOptions): ApiBackend {
  const events = createEventHub()
  const connections = new ConnectionState(options.session, events, options.dialogs)
  const ctx: BackendContext = {
    session: options.session,
    events,
    ...(options.dialogs ? { dialogs: options.dialogs } : {}),
    heldKeys: new HeldPrivateKeys(),
    connection: () => connections.connection,
    iot: () => options.session.iotClient(connections.connection)
  }
  const runs = new ProvisioningRuns(ctx)
  const leases = new MqttLeases(ctx)
  const recorder = new HistoryRecorder(
    () => options.session.history(),
    (error) => options.session.log.logger.error({ err: error }, 'A shadow version could not be recorded in the history')
  )
  // A shadow's deltas are answered by one simulated device or one bench, never two.
  const answerers = new ShadowAnswerers()
  const deviceSide = [new ShadowHandlers(ctx, leases, recorder), new DeviceHandlers(ctx, leases, answerers), new MqttHandlers(ctx, leases)] as const
  const [shadows, devices, mqtt] = deviceSide
  const serial = new SerialHandlers(ctx)
  const bench = new BenchHandlers(ctx, leases, serial, answerers)
  // What was opened on the old connection is stopped (each says so in its own event).
  events.connect((event, payload) => {
    if (event === 'connections.changed') for (const domain of [...deviceSide, bench]) leases.inBackground('Stopping what the old connection opened', domain.connectionChanged((payload as ConnectionChoice).connection))
  })
  const handlers: Handlers = {
    ...appInfoHandler(ctx, options),
    ...connections.handlers(),
    ...runs.handlers(),
    ...exportBundleHandler(ctx),
    ...deviceEndpointHandler(ctx),
    ...certificateHandlers(ctx),
    ...fileHandlers(ctx),
    ...policyHandlers(ctx),
    ...refusalHandlers(ctx),
    ...thingHandlers(ctx),
    ...groupHandlers(ctx),
    ...thingTypeHandlers(ctx),
    ...shadows.handlers(),
    ...devices.handlers(),
    ...mqtt.handlers(),
    ...historyHandlers(ctx),
    ...serial.handlers(),
    ...deviceWriteHandler(ctx, serial),
    ...onboardingHandlers(ctx, serial),
    ...bench.handlers()
  }
  const close = async () => {
    // The benches first: each stops its bridge before its port and its thing's connection go.
    await bench.close()
    await Promise.all([runs.close(), serial.close(), ...deviceSide.map((domain) => domain.close())])
  }
  return { handlers: withReadableErrors(handlers), events, close }
}

/** Every handler's failures carry AWS's error name and a readable message across the bridge. */
function withReadableErrors(handlers: Handlers): Handlers {
  const wrapped: Record<string, (args: never) => Promise<unknown>> = {}
  for (const [name, handler] of Object.entries(handlers) as Array<[string, (args: never) => Promise<unknown>]>)
    wrapped[name] = async (args) => {
      try {
        return await handler(args)
      } catch (error) {
        throw readableError(error)
      }
    }
  return wrapped as unknown as Handlers
}
