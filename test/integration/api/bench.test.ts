import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError, type BenchEvent, type BenchView } from '../../../electron/contract'
import { thermostatOnPort, type RunningThermostat } from '../../devices/thermostat/onPort'
import { startTestApi, type TestApi } from '../../support/apiBackend'
import { boardOnPty, quickThermostat, type BoardOnPty } from '../../support/boardOnPty'
import type { PtyPair } from '../../support/ptyPair'
import { until } from '../../support/until'
import { expressLinkBench } from '../serial/expresslinkSupport'
import { benchWifi } from '../../devices/expresslink/config'
import { rejectionOf } from '../../support/refusal'

const refusal = (call: Promise<unknown>): Promise<ApiError> => rejectionOf(call, ApiError)

// bench.* over the real API: a thing provisioned with a local key in the Local IoT Core, the
// JSON-lines thermostat simulator on a socat pty pair, real serialport, the thing's own MQTT
// connection. What a user of the inspector sees: the board follows desired, reported follows the
// board, the latency is measured, the Serial view says who holds the port, detach frees it.

const thingName = 'bench-api-thermo'
const keylessThing = 'bench-api-keyless'
let t: TestApi
let pair: PtyPair
let thermostat: BoardOnPty<RunningThermostat> | undefined
const events: BenchEvent[] = []

async function desire(state: Record<string, number>): Promise<void> {
  const outcome = await t.api.call('shadow.update', { thingName, desired: state })
  if (outcome.outcome !== 'accepted') throw new Error(JSON.stringify(outcome))
}
const reportedTarget = async (): Promise<unknown> => (await t.api.call('shadow.get', { thingName })).state.reported?.['target_temperature']
const holderOf = async (path: string): Promise<string | undefined> => (await t.api.call('serial.list', {})).ports.find((port) => port.path === path)?.heldBy

beforeAll(async () => {
  t = await startTestApi()
  t.api.on('bench.event', (event) => events.push(event))
  for (const name of [thingName, keylessThing]) {
    const run = await t.api.call('provisioning.run', { plan: { thingName: name } })
    if (run.outcome !== 'provisioned') throw new Error(JSON.stringify(run))
    // The keyless thing's key lives on "the device" only.
    if (name === keylessThing) await t.session.vault.delete(run.result.certificateId)
  }
  thermostat = await boardOnPty('bench-api', (path) => thermostatOnPort(path, quickThermostat))
  pair = thermostat.pair
}, 60_000)

afterAll(async () => {
  await t?.close()
  await thermostat?.close()
})

describe('bench.* over the API with the JSON-lines thermostat', () => {
  let bench: BenchView

  it('attaches: the port is held as "bench: <thing>", and the list shows the bench', async () => {
    bench = await t.api.call('bench.attach', { portPath: pair.hostPath, thingName, driver: 'jsonLines' })
    expect(bench).toMatchObject({ portPath: pair.hostPath, thingName, driver: 'jsonLines', state: 'attached' })
    expect(bench.reason).toContain(pair.hostPath)
    expect(await holderOf(pair.hostPath)).toBe(`bench: ${thingName}`)
    expect(await t.api.call('bench.list', {})).toEqual([bench])
  }, 30_000)

  it('a desired change reaches the board, reported follows it, and the latency is told and listed', async () => {
    const since = events.length
    await desire({ target_temperature: 23 })
    await until(async () => (await reportedTarget()) === 23, 'the board to report target 23', 8_000)
    const latency = await until(() => events.slice(since).find((e) => e.event.type === 'latency'), 'a latency event', 5_000)
    expect(latency.benchId).toBe(bench.benchId)
    const ms = (latency.event as { ms: number }).ms
    expect(ms).toBeGreaterThanOrEqual(0)
    expect(ms).toBeLessThan(2_000)
    expect(latency.bench.latency).toEqual({ lastMs: ms, p50Ms: ms, samples: 1 })
    expect(events.slice(since).some((e) => e.event.type === 'delta' && e.event.state['target_temperature'] === 23)).toBe(true)
    const [listed] = await t.api.call('bench.list', {})
    expect(listed?.latency?.lastMs).toBe(ms)
  })

  it('refuses a second bench on the same shadow, and the same port to anyone else, naming the holder', async () => {
    expect(await refusal(t.api.call('bench.attach', { portPath: pair.hostPath, thingName, driver: 'jsonLines' }))).toMatchObject({
      errorName: 'BenchAlreadyAttached',
      message: expect.stringContaining(pair.hostPath)
    })
    expect(await refusal(t.api.call('serial.open', { path: pair.hostPath }))).toMatchObject({ errorName: 'PortHeld', message: expect.stringContaining(`bench: ${thingName}`) })
    expect(await t.api.call('bench.list', {})).toHaveLength(1)
  })

  it('detach frees the port (the monitor can open it) and says so in an event', async () => {
    await t.api.call('bench.detach', { benchId: bench.benchId })
    expect(await t.api.call('bench.list', {})).toEqual([])
    expect(await holderOf(pair.hostPath)).toBeUndefined()
    expect(events.at(-1)).toMatchObject({ benchId: bench.benchId, event: { type: 'detached', reason: expect.stringContaining('as asked') } })
    await t.api.call('serial.open', { path: pair.hostPath })
    expect(await holderOf(pair.hostPath)).toBe('serial monitor')
    await t.api.call('serial.close', { path: pair.hostPath })
    expect(await refusal(t.api.call('bench.detach', { benchId: bench.benchId }))).toMatchObject({ errorName: 'InvalidArguments', message: expect.stringContaining('no bench') })
  })
})

describe('bench.attach refusals: a clear error, and nothing held', () => {
  const refused = async (args: Parameters<typeof t.api.call<'bench.attach'>>[1]) => {
    const error = await refusal(t.api.call('bench.attach', args))
    expect(await t.api.call('bench.list', {})).toEqual([])
    if (args.portPath === pair.hostPath) expect(await holderOf(pair.hostPath)).toBeUndefined()
    return error
  }

  it('an unknown port', async () => {
    expect(await refused({ portPath: '/dev/thingbench-no-such-port', thingName, driver: 'jsonLines' })).toMatchObject({
      errorName: 'PortNotFound',
      message: expect.stringContaining('/dev/thingbench-no-such-port does not exist')
    })
  })

  it('a port someone else holds, naming them', async () => {
    await t.api.call('serial.open', { path: pair.hostPath })
    try {
      const error = await refusal(t.api.call('bench.attach', { portPath: pair.hostPath, thingName, driver: 'jsonLines' }))
      expect(error).toMatchObject({ errorName: 'PortHeld', message: expect.stringContaining('held by serial monitor') })
      expect(await holderOf(pair.hostPath)).toBe('serial monitor')
    } finally {
      await t.api.call('serial.close', { path: pair.hostPath })
    }
  })

  it('a thing that does not exist', async () => {
    expect(await refused({ portPath: pair.hostPath, thingName: 'bench-api-nobody', driver: 'jsonLines' })).toMatchObject({
      errorName: 'ResourceNotFoundException',
      message: expect.stringContaining('Thing bench-api-nobody does not exist')
    })
  })

  it('a thing whose key the vault does not hold: says to provision it with a local key or use ExpressLink', async () => {
    const error = await refused({ portPath: pair.hostPath, thingName: keylessThing, driver: 'jsonLines' })
    expect(error.errorName).toBe('NoKeyInVault')
    expect(error.message).toContain('provision the thing with a local key')
    expect(error.message).toContain('ExpressLink driver')
  }, 30_000)

  it('a shadow a simulated device already answers ("act as the device"), and the other way round: one answerer per shadow', async () => {
    const device = await t.api.call('device.start', { thingName, answering: { mode: 'manual' } })
    try {
      expect(await refused({ portPath: pair.hostPath, thingName, driver: 'jsonLines' })).toMatchObject({
        errorName: 'DeviceAlreadyRunning',
        message: expect.stringContaining('two would answer every delta twice: stop it first')
      })
    } finally {
      await t.api.call('device.stop', { deviceId: device.deviceId })
    }
    const bench = await t.api.call('bench.attach', { portPath: pair.hostPath, thingName, driver: 'jsonLines' })
    try {
      expect(await refusal(t.api.call('device.start', { thingName }))).toMatchObject({
        errorName: 'BenchAlreadyAttached',
        message: expect.stringContaining(`${pair.hostPath} is already attached`)
      })
      expect(await t.api.call('device.list', {})).toEqual([])
    } finally {
      await t.api.call('bench.detach', { benchId: bench.benchId })
    }
    // Both let go: the shadow can be answered again.
    const again = await t.api.call('device.start', { thingName })
    await t.api.call('device.stop', { deviceId: again.deviceId })
  }, 30_000)

  it('bad arguments are refused by the schema', async () => {
    expect(await refused({ portPath: 'ttyUSB0', thingName, driver: 'jsonLines' })).toMatchObject({ errorName: 'InvalidArguments', message: expect.stringContaining('full path') })
    expect(await refused({ portPath: pair.hostPath, thingName, driver: 'modbus' as never })).toMatchObject({ errorName: 'InvalidArguments', message: expect.stringContaining('jsonLines') })
  })
})

describe('bench.* with an ExpressLink module (it holds its own connection)', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  it('onboarded, attached to its own thing: a desired change is answered by the module, with the latency; detach frees the port', async () => {
    const module = await expressLinkBench(cleanups)
    await module.driver.configure(benchWifi)
    module.driver.detach()
    await new Promise<void>((resolve) => module.host.close(() => resolve()))
    const onboarded = await t.api.call('onboarding.expressLink', { portPath: module.pair.hostPath })

    // Attached to another thing than the module's: refused, naming the module's thing, nothing held.
    expect(await refusal(t.api.call('bench.attach', { portPath: module.pair.hostPath, thingName, driver: 'expresslink' }))).toMatchObject({
      errorName: 'ThingMismatch',
      message: expect.stringContaining(`is thing ${onboarded.thingName}, not ${thingName}`)
    })
    expect(await holderOf(module.pair.hostPath)).toBeUndefined()
    expect(await t.api.call('bench.list', {})).toEqual([])

    const since = events.length
    const bench = await t.api.call('bench.attach', { portPath: module.pair.hostPath, thingName: onboarded.thingName, driver: 'expresslink' })
    expect(bench).toMatchObject({ driver: 'expresslink', thingName: onboarded.thingName, state: 'attached' })
    expect(await holderOf(module.pair.hostPath)).toBe(`bench: ${onboarded.thingName}`)
    const outcome = await t.api.call('shadow.update', { thingName: onboarded.thingName, desired: { target_temperature: 21 } })
    expect(outcome.outcome).toBe('accepted')
    const latency = await until(() => events.slice(since).find((e) => e.benchId === bench.benchId && e.event.type === 'latency'), 'the module to answer the delta', 10_000)
    expect(latency.bench.latency?.samples).toBe(1)
    expect((await t.api.call('shadow.get', { thingName: onboarded.thingName })).state.reported?.['target_temperature']).toBe(21)

    await t.api.call('bench.detach', { benchId: bench.benchId })
    expect(await holderOf(module.pair.hostPath)).toBeUndefined()
  }, 90_000)
})

describe('the app closing', () => {
  it('detaches every bench and releases its port', async () => {
    const bench = await t.api.call('bench.attach', { portPath: pair.hostPath, thingName, shadowName: 'bench-close', driver: 'jsonLines' })
    expect(await holderOf(pair.hostPath)).toBe(`bench: ${thingName}`)
    await t.backend.close()
    expect(events.at(-1)).toMatchObject({ benchId: bench.benchId, event: { type: 'detached', reason: expect.stringContaining('closing') } })
  }, 30_000)
})
