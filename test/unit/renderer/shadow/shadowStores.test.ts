// @vitest-environment happy-dom
import { GetThingShadowCommand, UpdateThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { watch } from 'vue'
import { describeError } from '../../../../renderer/src/components/describeError'
import { useDeviceStore } from '../../../../renderer/src/stores/useDeviceStore'
import { useShadowStore } from '../../../../renderer/src/stores/useShadowStore'
import type { TestApi } from '../../../support/apiBackend'
import { startProvisionedApi } from './provisionedApi'
import { freshPinia } from '../registry/registryApp'
import { until } from '../../../support/until'

// The inspector's stores against the real back end and the Local IoT Core (shadows over MQTT and
// the HTTP data plane, the simulated device over mutual TLS), a fresh Pinia per test.
let t: TestApi
let dataPlane: IoTDataPlaneClient

beforeAll(async () => {
  const world = await startProvisionedApi(['thermostat-1', 'lamp-1', 'plain-1'])
  t = world.t
  dataPlane = world.dataPlane
}, 120_000)
afterAll(async () => {
  await t?.close()
})
beforeEach(() => {
  freshPinia(t.api)
})
afterEach(async () => {
  // A failed test must not leave its device answering the next test's deltas.
  for (const running of await t.api.call('device.list', {})) await t.api.call('device.stop', { deviceId: running.deviceId })
})


const updateFromOutside = (thingName: string, state: object, shadowName?: string) =>
  dataPlane.send(new UpdateThingShadowCommand({ thingName, ...(shadowName ? { shadowName } : {}), payload: new TextEncoder().encode(JSON.stringify({ state })) }))

describe('the shadow store', () => {
  it('shows a shadow live: a change made elsewhere arrives with its changed leaves marked, its delta, size and version', async () => {
    await updateFromOutside('thermostat-1', { reported: { temperature: 19, mode: 'heat' } })
    const store = useShadowStore()
    await store.open({ thingName: 'thermostat-1' })
    expect(store.watchState).toBe('watching')
    expect(store.reported).toEqual({ temperature: 19, mode: 'heat' })
    expect(store.delta).toBeUndefined()
    const firstVersion = store.version!
    expect(store.highlighted.size).toBe(0)

    await updateFromOutside('thermostat-1', { desired: { temperature: 22 } })
    await until(() => store.version === firstVersion + 1, 'the next version')
    expect(store.previous?.version).toBe(firstVersion)
    expect(store.desired).toEqual({ temperature: 22 })
    expect(store.delta).toEqual({ temperature: 22 })
    expect([...store.highlighted.keys()]).toEqual(['desired'])
    expect(store.sizeBytes).toBe(JSON.stringify({ temperature: 22 }).length + JSON.stringify({ temperature: 19, mode: 'heat' }).length)
    expect(store.sizeLimitBytes).toBe(8192)
    expect(typeof (store.metadata.desired as { temperature: { timestamp: number } }).temperature.timestamp).toBe('number')

    await updateFromOutside('thermostat-1', { reported: { temperature: 22 } })
    await until(() => store.version === firstVersion + 2, 'the reported change')
    expect(store.delta).toBeUndefined()
    expect([...store.highlighted.keys()]).toContain('reported.temperature')
    await store.close()
  })

  it('applies documents in version order: an older document arriving late is dropped', async () => {
    const store = useShadowStore()
    await store.open({ thingName: 'thermostat-1' })
    const current = store.document!
    // Replayed as the back end would emit it, with a stale version: the store must keep the newer one.
    const watchId = (await t.api.call('shadow.watch', { thingName: 'plain-1' })).watchId
    t.backend.events.emit('shadow.document', { watchId, thingName: 'thermostat-1', source: 'documents', document: { ...current, version: current.version - 1, state: { reported: { stale: true } } } })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(store.document).toEqual(current)
    await t.api.call('shadow.unwatch', { watchId })
    await store.close()
  })

  it('shows a burst of versions a frame at a time: in version order, the newest last, every changed leaf marked and every version in the history', async () => {
    const store = useShadowStore()
    await store.open({ thingName: 'lamp-1' })
    const first = store.version ?? 0
    const shown: number[] = []
    const stop = watch(
      () => store.version,
      (version) => version !== null && shown.push(version),
      { flush: 'sync' }
    )
    const burst = 60
    await Promise.all(Array.from({ length: burst }, (_, i) => updateFromOutside('lamp-1', { reported: { [`burst${i}`]: i } })))
    await until(() => store.version === first + burst, 'the newest version of the burst shown')
    stop()
    // Fewer renders than versions, never one older than the one before it.
    expect(shown.length).toBeLessThan(burst)
    expect(shown).toEqual([...shown].sort((a, b) => a - b))
    expect(new Set(shown).size).toBe(shown.length)
    // A version never shown on its own still has its leaf highlighted (or the section it created).
    const marked = [...store.highlighted.keys()]
    for (let i = 0; i < burst; i++) expect(marked.some((path) => `reported.burst${i}` === path || `reported.burst${i}`.startsWith(`${path}.`)), `burst${i} highlighted`).toBe(true)
    expect(Object.keys(store.reported ?? {}).filter((k) => k.startsWith('burst'))).toHaveLength(burst)
    const recorded = await t.api.call('history.versions', { thingName: 'lamp-1', maxResults: 1000 })
    const versions = recorded.versions.map((v) => v.version)
    for (let v = first + 1; v <= first + burst; v++) expect(versions).toContain(v)
    await store.close()
  })

  it('sends desired with the version; a stale version comes back as a conflict with both sides, and null clears a key', async () => {
    const store = useShadowStore()
    await store.open({ thingName: 'thermostat-1' })
    const seen = store.version!
    await updateFromOutside('thermostat-1', { desired: { fan: 'auto' } })
    await until(() => store.version === seen + 1, 'the outside change')

    const conflict = await store.update('desired', { temperature: 25 }, seen)
    expect(conflict?.outcome).toBe('conflict')
    if (conflict?.outcome !== 'conflict') throw new Error('expected a conflict')
    expect(conflict.attempted).toEqual({ state: { desired: { temperature: 25 } }, version: seen })
    expect(conflict.current?.version).toBe(seen + 1)
    expect(conflict.current?.state.desired).toEqual({ temperature: 22, fan: 'auto' })

    const accepted = await store.update('desired', { temperature: 25, fan: null }, conflict.current!.version)
    expect(accepted?.outcome).toBe('accepted')
    await until(() => store.version === seen + 2, 'the merged update')
    expect(store.desired).toEqual({ temperature: 25 })
    const stored = JSON.parse(new TextDecoder().decode((await dataPlane.send(new GetThingShadowCommand({ thingName: 'thermostat-1' }))).payload))
    expect(stored.state.desired).toEqual({ temperature: 25 })
    await store.close()
  })

  it('says in plain words why an update was refused, and changes nothing', async () => {
    const store = useShadowStore()
    await store.open({ thingName: 'thermostat-1' })
    const before = store.version
    const outcome = await store.update('desired', { big: 'x'.repeat(9000) }, undefined)
    expect(outcome).toBeNull()
    expect(describeError(store.updateError)).toMatch(/8192 bytes/)
    expect((await t.api.call('shadow.get', { thingName: 'thermostat-1' })).version).toBe(before)
    await store.close()
  })

  it('creates, lists and deletes a named shadow; a deletion shows as no document', async () => {
    const store = useShadowStore()
    await store.loadNamedShadows('lamp-1')
    expect(store.namedShadows).toEqual([])
    expect(await store.createNamed('lamp-1', 'dimmer', { level: 40 })).toBe(true)
    expect(store.namedShadows).toEqual(['dimmer'])
    await store.loadNamedShadows('lamp-1')
    expect(store.namedShadows).toEqual(['dimmer'])

    await store.open({ thingName: 'lamp-1', shadowName: 'dimmer' })
    expect(store.desired).toEqual({ level: 40 })
    expect(await store.remove()).toBe(true)
    await until(() => store.document === null, 'the deletion')
    expect(store.watchMessage).toMatch(/deleted/)
    expect(store.namedShadows).toEqual([])
    await store.loadNamedShadows('lamp-1')
    expect(store.namedShadows).toEqual([])
    await store.close()
  })

  it('says the device is online from its lifecycle event, unknown before one arrives, offline with the reason', async () => {
    const store = useShadowStore()
    const device = useDeviceStore()
    await store.open({ thingName: 'plain-1' })
    expect(store.presence).toEqual({ state: 'unknown' })
    // The presence subscription is made alongside the watch.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await device.start({ thingName: 'plain-1' }, { mode: 'manual' })).toBe(true)
    const online = await until(() => (store.presence.state === 'online' ? store.presence : null), 'the connected event')
    expect(online.clientId).toBe('plain-1')
    await device.stop()
    const offline = await until(() => (store.presence.state === 'offline' ? store.presence : null), 'the disconnected event')
    expect(offline.reason).toBe('the device disconnected itself')
    await store.close()
  })

  it('a device that connected before the shadow was opened is online at once (its connectivity asked), and one that left since is offline with the reason', async () => {
    const device = useDeviceStore()
    expect(await device.start({ thingName: 'plain-1' }, { mode: 'manual' })).toBe(true)
    await until(() => device.connection?.state === 'connected', 'the device connection')
    const store = useShadowStore()
    await store.open({ thingName: 'plain-1' })
    const online = await until(() => (store.presence.state === 'online' ? store.presence : null), 'the connectivity asked on open')
    expect(online.clientId).toBe('plain-1')
    expect(online.since).toBeLessThanOrEqual(Date.now())
    await store.close()

    await device.stop()
    const again = useShadowStore()
    await again.open({ thingName: 'plain-1' })
    const offline = await until(() => (again.presence.state === 'offline' ? again.presence : null), 'the connectivity asked on open')
    expect(offline.reason).toBe('the device disconnected itself')
    await again.close()
  })
})

describe('the simulated device store', () => {
  it('receives a delta, waits to be told, and the acknowledgement clears the delta', async () => {
    const shadow = useShadowStore()
    const device = useDeviceStore()
    await updateFromOutside('lamp-1', { reported: { on: false } })
    await shadow.open({ thingName: 'lamp-1' })
    expect(await device.start({ thingName: 'lamp-1' }, { mode: 'manual' })).toBe(true)
    await until(() => device.connection?.state === 'connected', 'the device connection')
    expect(device.connectionMessage).toMatch(/^Connected as the thing/)

    await shadow.update('desired', { on: true }, shadow.version!)
    const delta = await until(() => device.pendingDelta, 'the delta')
    expect(delta.state).toEqual({ on: true })
    expect(device.log[0]?.kind).toBe('delta')
    // The device (mTLS) and the inspector's watch (WebSocket) hear of the change independently.
    expect(await until(() => shadow.delta, 'the delta in the inspector')).toEqual({ on: true })

    expect(await device.acknowledge()).toBe(true)
    await until(() => shadow.delta === undefined && shadow.reported?.on === true, 'the delta gone')
    expect(device.pendingDelta).toBeNull()
    expect(device.reported).toMatchObject({ on: true })

    expect(await device.report({ watts: 7 })).toBe(true)
    await until(() => shadow.reported?.watts === 7, 'the arbitrary report')
    await device.stop()
    expect(device.device).toBeNull()
    await shadow.close()
  })

  it('answers automatically after the chosen delay', async () => {
    const shadow = useShadowStore()
    const device = useDeviceStore()
    await shadow.open({ thingName: 'lamp-1' })
    expect(await device.start({ thingName: 'lamp-1' }, { mode: 'auto', delayMs: 300 })).toBe(true)
    await shadow.update('desired', { on: false }, undefined)
    await until(() => device.pendingDelta, 'the delta')
    const sent = Date.now()
    await until(() => shadow.delta === undefined && shadow.reported?.on === false, 'the automatic answer')
    expect(Date.now() - sent).toBeGreaterThanOrEqual(200)
    await device.stop()
    await shadow.close()
  })

  it('says plainly when the thing has no key in the vault', async () => {
    const iot = await t.session.iotClient({ kind: 'local' })
    const { CreateThingCommand } = await import('@aws-sdk/client-iot')
    await iot.send(new CreateThingCommand({ thingName: 'keyless-1' }))
    const device = useDeviceStore()
    expect(await device.start({ thingName: 'keyless-1' }, { mode: 'manual' })).toBe(false)
    expect(describeError(device.lastError)).toMatch(/keyless-1/)
    expect(device.device).toBeNull()
  })
})
