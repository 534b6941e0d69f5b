// @vitest-environment happy-dom
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBenchStore } from '../../../../renderer/src/stores/useBenchStore'
import { thermostatOnPort, type RunningThermostat } from '../../../devices/thermostat/onPort'
import type { TestApi } from '../../../support/apiBackend'
import { boardOnPty, quickThermostat, type BoardOnPty } from '../../../support/boardOnPty'
import type { PtyPair } from '../../../support/ptyPair'
import { until } from '../../../support/until'
import { freshPinia } from '../registry/registryApp'
import { startProvisionedApi } from './provisionedApi'

// The bench store against the real back end in-process, a thing provisioned with a local key and
// the JSON-lines thermostat on a socat pty: the store follows bench.event alone.

const thingName = 'bench-store-thermo'
const key = { thingName }
let t: TestApi
let pair: PtyPair
let thermostat: BoardOnPty<RunningThermostat> | undefined

beforeAll(async () => {
  ;({ t } = await startProvisionedApi([thingName]))
  thermostat = await boardOnPty('bench-store', (path) => thermostatOnPort(path, quickThermostat), t.home)
  pair = thermostat.pair
}, 60_000)
afterAll(async () => {
  await t?.close()
  await thermostat?.close()
})

describe('the bench store', () => {
  it('attaches, follows the latency from events, detaches leaving the reason, and a new attach clears it', async () => {
    freshPinia(t.api)
    const store = useBenchStore()
    expect(await store.attach(key, pair.hostPath, 'jsonLines')).toBe(true)
    expect(store.benchFor(key)).toMatchObject({ portPath: pair.hostPath, state: 'attached' })
    expect(store.benchFor({ thingName, shadowName: 'other' })).toBeUndefined()

    await t.api.call('shadow.update', { thingName, desired: { target_temperature: 25 } })
    const latency = await until(() => store.benchFor(key)?.latency, 'the latency in the store', 8_000)
    expect(latency.samples).toBe(1)
    expect(latency.p50Ms).toBe(latency.lastMs)

    // Another window (a fresh store) sees the bench from bench.list.
    freshPinia(t.api)
    const other = useBenchStore()
    await other.refresh()
    expect(other.benchFor(key)?.latency?.lastMs).toBe(latency.lastMs)

    expect(await store.detach(store.benchFor(key)!.benchId)).toBe(true)
    expect(store.benchFor(key)).toBeUndefined()
    expect(store.endingFor(key)).toMatch(/detached from bench-store-thermo: as asked/)
    expect(store.error).toBeNull()

    expect(await store.attach(key, pair.hostPath, 'jsonLines')).toBe(true)
    expect(store.endingFor(key)).toBeUndefined()
    await store.detach(store.benchFor(key)!.benchId)
  }, 30_000)

  it('a refusal lands in error with its name, and nothing is listed', async () => {
    freshPinia(t.api)
    const store = useBenchStore()
    expect(await store.attach(key, '/dev/thingbench-no-such-port', 'jsonLines')).toBe(false)
    expect(store.error).toMatchObject({ errorName: 'PortNotFound' })
    expect(store.benches).toEqual([])
    expect(await store.attach({ thingName: 'bench-store-nobody' }, pair.hostPath, 'jsonLines')).toBe(false)
    expect(store.error).toMatchObject({ errorName: 'ResourceNotFoundException' })
    expect(store.benches).toEqual([])
  })
})
