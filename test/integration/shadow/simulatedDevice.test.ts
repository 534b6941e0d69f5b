import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SimulatedDevice, type DeviceBehaviour, type SimulatedDeviceEvent } from '../../../electron/core/shadow'
import type { MqttJsConnection } from '../../support/mqttJsConnection'
import { startShadowWorld, type ShadowWorld } from './support/world'

// "Act as the device": connected as the thing (its certificate, its vault key), answering what an
// operator sets in desired over HTTP.

let w: ShadowWorld
let connection: MqttJsConnection
let device: SimulatedDevice | undefined
beforeEach(async () => {
  w = await startShadowWorld()
  connection = await w.connect(await w.provisionThing('lamp-1'))
})
afterEach(async () => {
  await device?.stop()
  device = undefined
  await w?.close()
})

const lamp = { thingName: 'lamp-1' }

function record(target: SimulatedDevice): SimulatedDeviceEvent[] {
  const events: SimulatedDeviceEvent[] = []
  target.on((event) => events.push(event))
  return events
}

describe('simulated device', () => {
  it('reports its initial state, then answers a desired change made over HTTP by itself after the delay', async () => {
    device = await SimulatedDevice.start({ connection, initialReported: { on: false, level: 0 }, answering: { mode: 'auto', delayMs: 300 } })
    expect(await w.http.get(lamp)).toMatchObject({ state: { reported: { on: false, level: 0 } }, version: 1 })
    const events = record(device)

    const changedAt = Date.now()
    await w.http.update(lamp, { state: { desired: { on: true, level: 4 } } })
    await vi.waitFor(() => expect(events.map((e) => e.type)).toEqual(['delta', 'reported']))
    const answeredAfter = Date.now() - changedAt

    expect(answeredAfter).toBeGreaterThanOrEqual(290)
    expect(events[0]).toMatchObject({ type: 'delta', delta: { state: { on: true, level: 4 }, version: 2 } })
    const shadow = await w.http.get(lamp)
    expect(shadow.state).toEqual({ desired: { on: true, level: 4 }, reported: { on: true, level: 4 } })
    expect(shadow.version).toBe(3)
    expect(device.reported).toEqual({ on: true, level: 4 })
  })

  it('on command: the delta waits until acknowledge(); reportNow() reports whatever it is given', async () => {
    device = await SimulatedDevice.start({ connection, initialReported: { on: false }, answering: { mode: 'manual' } })
    const events = record(device)
    await w.http.update(lamp, { state: { desired: { on: true } } })
    await vi.waitFor(() => expect(device!.pendingDelta).toMatchObject({ state: { on: true }, version: 2 }))
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect((await w.http.get(lamp)).state.delta).toEqual({ on: true })

    const accepted = await device.acknowledge()
    expect(accepted).toMatchObject({ state: { reported: { on: true } }, version: 3 })
    expect(device.pendingDelta).toBeUndefined()
    expect((await w.http.get(lamp)).state).toEqual({ desired: { on: true }, reported: { on: true } })
    expect(await device.acknowledge()).toBeUndefined()

    await device.reportNow({ temperature: 21.5 })
    expect((await w.http.get(lamp)).state.reported).toEqual({ on: true, temperature: 21.5 })
    expect(events.map((e) => e.type)).toEqual(['delta', 'reported', 'reported'])
  })

  it('answers what its behaviour decides, once: a delta its own report leaves behind is not answered again', async () => {
    // A lamp that can switch but has no dimmer.
    const noDimmer: DeviceBehaviour = { onDelta: (delta) => (delta.on === undefined ? undefined : { on: delta.on }) }
    const asked: unknown[] = []
    device = await SimulatedDevice.start({
      connection,
      behaviour: { onDelta: (delta, reported) => (asked.push({ delta, reported }), noDimmer.onDelta(delta, reported)) },
      initialReported: { on: false },
      answering: { mode: 'auto' }
    })
    await w.http.update(lamp, { state: { desired: { on: true, level: 4 } } })
    await vi.waitFor(async () => expect((await w.http.get(lamp)).state.reported).toEqual({ on: true }))
    await new Promise((resolve) => setTimeout(resolve, 300))

    expect(asked).toEqual([{ delta: { on: true, level: 4 }, reported: { on: false } }])
    const shadow = await w.http.get(lamp)
    expect(shadow.state.delta).toEqual({ level: 4 })
    expect(shadow.version).toBe(3)
  })

  it('a delta set while the device was away is answered when it starts; a named shadow works the same', async () => {
    const config = { thingName: 'lamp-1', shadowName: 'config' }
    await w.http.update(config, { state: { desired: { interval: 30 }, reported: { interval: 60 } } })
    device = await SimulatedDevice.start({ connection, shadowName: 'config' })
    await vi.waitFor(async () => expect((await w.http.get(config)).state).toEqual({ desired: { interval: 30 }, reported: { interval: 30 } }))
    expect((await w.http.get(lamp).catch((e: Error) => e.name))).toBe('ResourceNotFoundException')
  })

  it('stop() unsubscribes: a later desired change is not answered', async () => {
    device = await SimulatedDevice.start({ connection, initialReported: { on: false } })
    await device.stop()
    await w.http.update(lamp, { state: { desired: { on: true } } })
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect((await w.http.get(lamp)).state).toMatchObject({ reported: { on: false }, delta: { on: true } })
    expect(connection.current.state).toBe('connected')
  })
})
