import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetThingShadowCommand, IoTDataPlaneClient, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BridgeEvent } from '../../../electron/core/bench/bridge'
import { ExpressLinkBridge, ExpressLinkBridgeError } from '../../../electron/core/bench/expressLinkBridge'
import { onboardExpressLink } from '../../../electron/core/onboarding'
import { Journal } from '../../../electron/core/provisioning'
import { PortNames, SerialPorts, type PortHandle } from '../../../electron/core/serial'
import { ExpressLinkDriver } from '../../../electron/core/serial/drivers/expresslink'
import { osKeychain, Vault } from '../../../electron/core/vault'
import { expressLinkOnPort, type RunningModule } from '../../devices/expresslink/onPort'
import { caOf } from '../../support/mqttDevices'
import { openPtyPair, type PtyPair } from '../../support/ptyPair'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'
import { until } from '../../support/until'
import { benchWifi } from '../../devices/expresslink/config'

// The bench for an ExpressLink module: the simulated module on a socat pty, onboarded into a real
// Local IoT Core (its own MQTT connection), driven over AT through real serialport by the bridge;
// desired changes come from the real AWS SDK against the sandbox's shadow REST.

const settings = { baudRate: 115_200, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none' } as const
let home: string
let sandbox: TestSandbox
let data: IoTDataPlaneClient
let pair: PtyPair
let ports: SerialPorts
let module: RunningModule
let bridge: ExpressLinkBridge
let thingName: string
const events: BridgeEvent[] = []
/** Every SHADOW UPDATE the module was sent, across its restarts. */
const updates: string[] = []

function powerUp(stateDir: string): Promise<RunningModule> {
  return expressLinkOnPort(pair.devicePath, {
    stateDir,
    backoffMs: 0,
    onLine: (direction, text) => {
      if (direction === 'in' && /^AT\+SHADOW UPDATE /.test(text)) updates.push(text)
    }
  })
}

async function desire(state: Record<string, unknown>): Promise<void> {
  await data.send(new UpdateThingShadowCommand({ thingName, payload: new TextEncoder().encode(JSON.stringify({ state: { desired: state } })) }))
}

async function reported(): Promise<Record<string, unknown>> {
  const answer = await data.send(new GetThingShadowCommand({ thingName }))
  return (JSON.parse(new TextDecoder().decode(answer.payload)) as { state: { reported?: Record<string, unknown> } }).state.reported ?? {}
}

const answersWith = (value: number): string[] => updates.filter((u) => u.includes(`"target_temperature":${value}`))
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 600))

async function acquire(path: string): Promise<PortHandle> {
  return ports.acquire(path, 'bench', settings)
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'thingbench-el-bridge-'))
  sandbox = await startTestSandbox()
  data = new IoTDataPlaneClient({
    region: sandbox.core.region,
    endpoint: sandbox.core.dataPlaneUrl,
    credentials: { accessKeyId: sandbox.core.accessKeyId, secretAccessKey: sandbox.core.secretAccessKey },
    maxAttempts: 1
  })
  ports = new SerialPorts({ names: await PortNames.open(join(home, 'serial-ports.json')), pollMs: 100 })
  pair = await openPtyPair('el-bench')
  module = await powerUp(join(home, 'module'))
  const handle = await acquire(pair.hostPath)

  // Onboarded as a technician would, through the same flow and the same port, before the bench attaches.
  const driver = new ExpressLinkDriver(handle.stream, { commandTimeoutMs: 3_000 })
  await driver.configure(benchWifi)
  const vault = await Vault.open(join(home, 'vault.json'), osKeychain())
  const journal = await Journal.open(join(home, 'journal'))
  const onboarded = await onboardExpressLink(
    { endpoint: `${sandbox.core.mqttHost}:${sandbox.core.mqttPort}`, rootCaPem: caOf(sandbox.core) },
    { iot: sandbox.iot, vault, journal, connection: { kind: 'local' }, driver }
  )
  driver.detach()
  thingName = onboarded.thingName

  bridge = await ExpressLinkBridge.attach({ handle, onEvent: (event) => events.push(event) })
}, 60_000)

afterAll(async () => {
  await bridge?.detach()
  await module?.close()
  await ports?.close()
  await pair?.close()
  data?.destroy()
  await sandbox?.stop()
  if (home) await rm(home, { recursive: true, force: true })
})

describe('bench: shadow ⇄ ExpressLink module', () => {
  it('attaches to the thing the module names, and a desired change is answered by the module with the latency to the match', async () => {
    expect(bridge.key).toEqual({ thingName })
    expect(events[0]).toMatchObject({ type: 'reported', state: { thingbench: {} } })
    expect(events[1]).toMatchObject({ type: 'state', state: 'attached' })
    await desire({ target_temperature: 24 })
    await until(async () => (await reported())['target_temperature'] === 24, 'the module to report target 24 in the shadow', 5_000)
    const latency = await until(() => events.find((e) => e.type === 'latency'), 'a latency figure')
    expect((latency as { ms: number }).ms).toBeLessThan(2_000)
    const delta = events.find((e) => e.type === 'delta')
    expect(delta).toMatchObject({ type: 'delta', state: { target_temperature: 24 } })
    expect(latency).toMatchObject({ version: (delta as { version: number }).version })
    expect(events.filter((e) => e.type === 'reported').at(-1)).toMatchObject({ state: { target_temperature: 24, thingbench: {} } })
    await settle()
    expect(answersWith(24)).toHaveLength(1)
  })

  it('cable pulled: the bridge says so; after the replug the module (reset) is connected again and a change made meanwhile is answered exactly once', async () => {
    const taken = events.length
    await pair.unplug()
    await module.close()
    await until(() => events.slice(taken).find((e) => e.type === 'state' && e.state === 'device-gone'), 'device-gone', 5_000)
    await desire({ target_temperature: 19 })
    await pair.replug()
    module = await powerUp(join(home, 'module'))
    await until(() => events.slice(taken).find((e) => e.type === 'state' && e.state === 'resumed'), 'resumed', 15_000)
    await until(async () => (await reported())['target_temperature'] === 19, 'target 19 reported after the replug', 5_000)
    await settle()
    expect(answersWith(19)).toHaveLength(1)
    expect(answersWith(24)).toHaveLength(1)
    expect(events.slice(taken).filter((e) => e.type === 'delta')).toMatchObject([{ state: { target_temperature: 19 } }])
    expect(events.slice(taken).filter((e) => e.type === 'error')).toEqual([])
  }, 30_000)

  it('module reset on the same cable (its connection gone, its shadow settings lost): the bridge brings it up again and answers a change made meanwhile once', async () => {
    const taken = events.length
    await module.close()
    await desire({ target_temperature: 21 })
    module = await powerUp(join(home, 'module'))
    await until(async () => (await reported())['target_temperature'] === 21, 'target 21 reported after the module reset', 15_000)
    await settle()
    expect(answersWith(21)).toHaveLength(1)
    expect(events.slice(taken).filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? e.state : ''))).toEqual(['device-gone', 'resumed'])
  }, 30_000)

  it('detached: polling stops and deltas are no longer answered', async () => {
    await bridge.detach()
    await desire({ target_temperature: 30 })
    await settle()
    expect(answersWith(30)).toEqual([])
    expect((await reported())['target_temperature']).toBe(21)
  })
})

/** A second module on its own pty, as a bench with another board plugged in; `prepare` configures it first. */
async function spareModule(name: string, use: (handle: PortHandle) => Promise<void>, prepare?: (driver: ExpressLinkDriver) => Promise<void>): Promise<void> {
  const spare = await openPtyPair(name)
  const running = await expressLinkOnPort(spare.devicePath, { stateDir: join(home, name), backoffMs: 0 })
  const handle = await acquire(spare.hostPath)
  try {
    if (prepare) {
      const driver = new ExpressLinkDriver(handle.stream)
      await prepare(driver)
      driver.detach()
    }
    await use(handle)
  } finally {
    await handle.release()
    await running.close()
    await spare.close()
  }
}

async function refusedAttach(handle: PortHandle, seen: BridgeEvent[]): Promise<Error> {
  return ExpressLinkBridge.attach({ handle, onEvent: (event) => seen.push(event) }).then(
    () => new Error('the bridge attached'),
    (error: Error) => error
  )
}

describe('bench: a module that cannot be bridged', () => {
  it('an onboarded module that cannot reach its endpoint is refused with the CONNECT hint in words', async () => {
    await spareModule(
      'el-unreachable',
      async (handle) => {
        const seen: BridgeEvent[] = []
        const refusal = await refusedAttach(handle, seen)
        expect(refusal).toBeInstanceOf(ExpressLinkBridgeError)
        expect(refusal.message).toMatch(/could not connect to AWS IoT, so the bench cannot drive its shadow\. AT\+CONNECT failed with ERR14 UNABLE TO CONNECT: .*hint 3 \(ENDPOINT\): the module could not reach the AWS IoT endpoint/)
        expect(seen).toEqual([])
      },
      // Nothing listens on port 1: the connection is refused, as an endpoint typed wrong would be.
      (driver) => driver.configure({ SSID: 'bench-wifi', Endpoint: '127.0.0.1:1' })
    )
  })

  it('a module not onboarded is refused with the reason and what to do, and is left as it was (not connected, still on staging)', async () => {
    await spareModule('el-fresh', async (handle) => {
      const seen: BridgeEvent[] = []
      const refusal = await refusedAttach(handle, seen)
      expect(refusal).toBeInstanceOf(ExpressLinkBridgeError)
      expect(refusal.message).toMatch(/is not onboarded: its Endpoint is still the vendor's staging endpoint.*Onboard it over the cable first/)
      expect(seen).toEqual([])
      const driver = new ExpressLinkDriver(handle.stream)
      expect(await driver.connectionStatus()).toEqual({ connected: false, onboarded: false })
      driver.detach()
    })
  })
})
