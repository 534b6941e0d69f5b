import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeviceSide } from '../../../electron/app/deviceSide'
import type { BridgeEvent } from '../../../electron/core/bench/bridge'
import { JsonLinesBridge } from '../../../electron/core/bench/jsonLinesBridge'
import { PortNames, SerialPorts } from '../../../electron/core/serial'
import { thermostatOnPort, type RunningThermostat } from '../../devices/thermostat/onPort'
import { startTestApi, type TestApi } from '../../support/apiBackend'
import { openPtyPair, type PtyPair } from '../../support/ptyPair'
import { until } from '../../support/until'

// The bench for a JSON-lines board: a real thing provisioned in the Local IoT Core, its own MQTT
// connection (certificate + vault key), the thermostat simulator on a socat pty pair, real serialport.

const thingName = 'bench-thermo-1'
let t: TestApi
let pair: PtyPair
let ports: SerialPorts
let bridge: JsonLinesBridge
let thermostat: RunningThermostat
let release: () => Promise<void>
const events: BridgeEvent[] = []
/** Every desired/delta line the board heard, across its restarts. */
const heard: Record<string, unknown>[] = []

function boot(): Promise<RunningThermostat> {
  return thermostatOnPort(pair.devicePath, {
    tickMs: 20,
    thermostat: { rate: 50 },
    reportEveryMs: 60_000,
    onLine: (direction, text) => {
      const message = JSON.parse(text) as Record<string, unknown>
      if (direction === 'in' && (message['type'] === 'desired' || message['type'] === 'delta')) heard.push(message)
    }
  })
}

async function desire(state: Record<string, number>): Promise<void> {
  const outcome = await t.api.call('shadow.update', { thingName, desired: state })
  if (outcome.outcome !== 'accepted') throw new Error(JSON.stringify(outcome))
}

const reportedTarget = async (): Promise<unknown> => (await t.api.call('shadow.get', { thingName })).state.reported?.['target_temperature']

beforeAll(async () => {
  t = await startTestApi()
  const run = await t.api.call('provisioning.run', { plan: { thingName } })
  if (run.outcome !== 'provisioned') throw new Error(JSON.stringify(run))
  pair = await openPtyPair('bench')
  ports = new SerialPorts({ names: await PortNames.open(join(t.home, 'serial-ports.json')), pollMs: 100 })
  const handle = await ports.acquire(pair.hostPath, 'bench', { baudRate: 115_200, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none' })
  thermostat = await boot()
  const lease = await t.session.deviceSide.device({ kind: 'local' }, thingName)
  release = () => lease.release()
  bridge = await JsonLinesBridge.attach({ handle, connection: lease.connection, onEvent: (event) => events.push(event) })
}, 60_000)

afterAll(async () => {
  await bridge?.detach()
  await release?.()
  await thermostat?.close()
  await ports?.close()
  await pair?.close()
  await t?.close()
})

describe('bench: shadow ⇄ JSON-lines board', () => {
  it('a desired change goes to the board, its report becomes reported state, with the latency to the match', async () => {
    expect(events[0]).toMatchObject({ type: 'state', state: 'attached' })
    await desire({ target_temperature: 24 })
    await until(async () => (await reportedTarget()) === 24, 'the board to report target 24 in the shadow', 5_000)
    const latency = await until(() => events.find((e) => e.type === 'latency'), 'a latency figure')
    expect(latency).toMatchObject({ type: 'latency' })
    expect((latency as { ms: number }).ms).toBeLessThan(2_000)
    expect(heard.filter((m) => JSON.stringify(m['state']) === '{"target_temperature":24}')).toHaveLength(1)
  })

  it('cable pulled: the bridge says so; a change made meanwhile reaches the board once after the replug', async () => {
    await pair.unplug()
    await until(() => events.find((e) => e.type === 'state' && e.state === 'device-gone'), 'device-gone', 5_000)
    await desire({ target_temperature: 19 })
    await pair.replug()
    thermostat = await boot()
    await until(() => events.find((e) => e.type === 'state' && e.state === 'resumed'), 'resumed', 8_000)
    await until(async () => (await reportedTarget()) === 19, 'target 19 reported after the replug', 8_000)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(heard.filter((m) => (m['state'] as Record<string, unknown>)['target_temperature'] === 19)).toHaveLength(1)
  })

  it('board reset (hello at boot): the current desired state is sent once and reported', async () => {
    const before = heard.length
    await thermostat.close()
    thermostat = await boot()
    await until(() => heard.length > before, 'the desired state to be sent again', 5_000)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(heard.slice(before)).toHaveLength(1)
    expect(heard.at(-1)).toMatchObject({ type: 'desired', state: { target_temperature: 19 } })
    expect(await reportedTarget()).toBe(19)
  })

  it('MQTT connection dropped (another client took the thing\'s client id): the bridge says so, resumes, and relays the change made meanwhile once', async () => {
    const before = heard.length
    const intruder = new DeviceSide(t.session)
    const taken = events.length
    await intruder.device({ kind: 'local' }, thingName)
    await until(() => events.slice(taken).find((e) => e.type === 'state' && e.state === 'device-gone'), 'device-gone on the MQTT drop', 8_000)
    await desire({ target_temperature: 27 })
    await intruder.close()
    await until(() => events.slice(taken).find((e) => e.type === 'state' && e.state === 'resumed'), 'resumed after the MQTT drop', 15_000)
    await until(async () => (await reportedTarget()) === 27, 'target 27 reported after the resume', 8_000)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(heard.slice(before).filter((m) => (m['state'] as Record<string, unknown>)['target_temperature'] === 27)).toHaveLength(1)
  }, 40_000)
})
