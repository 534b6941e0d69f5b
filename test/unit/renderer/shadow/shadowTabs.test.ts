// @vitest-environment happy-dom
import { UpdateThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ApiClient } from '../../../../electron/contract/bridge'
import { useDeviceStore } from '../../../../renderer/src/stores/useDeviceStore'
import { shadowIdOf } from '../../../../renderer/src/stores/support/shadowId'
import { useShadowStore } from '../../../../renderer/src/stores/useShadowStore'
import type { TestApi } from '../../../support/apiBackend'
import { until } from '../../../support/until'
import { freshPinia } from '../registry/registryApp'
import { startProvisionedApi } from './provisionedApi'

// Several shadows open at once, one tab each, against the real back end and the Local IoT Core:
// a tab in the background keeps watching, closing a tab ends its watch, the tabs survive a reload
// (a fresh Pinia on the same storage), and each tab keeps its own simulated device.
let t: TestApi
let dataPlane: IoTDataPlaneClient
/** The contract calls the stores made, with their arguments. */
let calls: Array<{ method: string; args: unknown }>

beforeAll(async () => {
  const world = await startProvisionedApi(['tabs-a', 'tabs-b'])
  t = world.t
  dataPlane = world.dataPlane
}, 120_000)
afterAll(async () => {
  await t?.close()
})

/** A Pinia on the real back end that records the calls made (a reload is another of these). */
function reloadedApp(): void {
  const counting: ApiClient = {
    call: (method, args) => {
      calls.push({ method, args })
      return t.api.call(method, args)
    },
    on: (event, listener) => t.api.on(event, listener)
  }
  freshPinia(counting)
}
beforeEach(() => {
  localStorage.clear()
  calls = []
  reloadedApp()
})
afterEach(async () => {
  await useShadowStore().suspend()
  for (const running of await t.api.call('device.list', {})) await t.api.call('device.stop', { deviceId: running.deviceId })
})

const updateFromOutside = (thingName: string, state: object) => dataPlane.send(new UpdateThingShadowCommand({ thingName, payload: new TextEncoder().encode(JSON.stringify({ state })) }))
const watchIdsOf = (thingName: string) =>
  calls.filter((c) => c.method === 'shadow.watch' && (c.args as { thingName: string }).thingName === thingName).map((c) => (c.args as { watchId: string }).watchId)

describe('shadow tabs', () => {
  it('keeps a background tab live: switching back shows its newest version at once, without watching again', async () => {
    await updateFromOutside('tabs-a', { reported: { temperature: 19 } })
    await updateFromOutside('tabs-b', { reported: { on: false } })
    const store = useShadowStore()
    await store.open({ thingName: 'tabs-a' })
    const versionA = store.version!
    await store.open({ thingName: 'tabs-b' })
    expect(store.key).toEqual({ thingName: 'tabs-b' })
    expect(store.reported).toEqual({ on: false })
    expect(store.openTabs.map((tab) => tab.id)).toEqual(['tabs-a', 'tabs-b'])

    // Changed while B is in front: A's tab counts it.
    await updateFromOutside('tabs-a', { desired: { temperature: 23 } })
    await until(() => store.openTabs[0]?.unseen === 1, 'the background tab to hear of the change')
    expect(store.reported).toEqual({ on: false })

    const bringingBack = store.open({ thingName: 'tabs-a' })
    // At once, before any answer: the document the background watch kept current.
    expect(store.version).toBe(versionA + 1)
    expect(store.desired).toEqual({ temperature: 23 })
    expect(store.delta).toEqual({ temperature: 23 })
    expect([...store.highlighted.keys()]).toEqual(['desired'])
    await bringingBack
    expect(store.openTabs[0]?.unseen).toBe(0)
    expect(watchIdsOf('tabs-a')).toHaveLength(1)
  })

  it('closing a tab ends its watch and its presence subscription; the neighbour comes to the front', async () => {
    const store = useShadowStore()
    await store.open({ thingName: 'tabs-a' })
    await store.open({ thingName: 'tabs-b' })
    // The presence subscriptions are made alongside the watches.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const [watchB] = watchIdsOf('tabs-b')
    const front = await store.closeTab('tabs-b')
    expect(front).toEqual({ thingName: 'tabs-a' })
    expect(store.activeId).toBe('tabs-a')
    expect(store.openTabs.map((tab) => tab.id)).toEqual(['tabs-a'])
    // The back end no longer has B's watch.
    await expect(t.api.call('shadow.unwatch', { watchId: watchB! })).rejects.toThrow(/there is no watch/)
    expect(calls.filter((c) => c.method === 'mqtt.unsubscribe')).toHaveLength(1)
    // A is still watched.
    const before = store.version ?? 0
    await updateFromOutside('tabs-a', { reported: { temperature: 20 } })
    await until(() => (store.version ?? 0) > before, 'A to stay live')
  })

  it('remembers the open tabs and the one in front across a reload, and watches them all again', async () => {
    const first = useShadowStore()
    await first.open({ thingName: 'tabs-a' })
    await first.open({ thingName: 'tabs-b', shadowName: 'dimmer' })
    await first.open({ thingName: 'tabs-b' })
    await first.open({ thingName: 'tabs-b', shadowName: 'dimmer' })
    await first.suspend()

    reloadedApp()
    const store = useShadowStore()
    expect(store.tabs).toEqual([{ thingName: 'tabs-a' }, { thingName: 'tabs-b', shadowName: 'dimmer' }, { thingName: 'tabs-b' }])
    expect(store.activeId).toBe(shadowIdOf({ thingName: 'tabs-b', shadowName: 'dimmer' }))
    await store.restore()
    expect(store.openTabs.map((tab) => tab.watchState)).toEqual(['watching', 'watching', 'watching'])
    expect(store.watchState).toBe('watching')
    expect(store.key).toEqual({ thingName: 'tabs-b', shadowName: 'dimmer' })

    // A tab picked in the shadow picker takes the place of the one in front.
    await store.replaceActive({ thingName: 'tabs-b', shadowName: 'other' })
    expect(store.tabs.map(shadowIdOf)).toEqual(['tabs-a', 'tabs-b/other', 'tabs-b'])
  })

  it('gives each tab its own simulated device, running while another tab is in front', async () => {
    const shadow = useShadowStore()
    const device = useDeviceStore()
    await shadow.open({ thingName: 'tabs-a' })
    expect(await device.start({ thingName: 'tabs-a' }, { mode: 'manual' })).toBe(true)
    await shadow.open({ thingName: 'tabs-b' })
    device.select({ thingName: 'tabs-b' })
    expect(device.device).toBeNull()
    expect(device.runningIds).toEqual(new Set(['tabs-a']))

    // The device of A receives A's delta while B is in front.
    await updateFromOutside('tabs-a', { desired: { temperature: 30 } })
    device.select({ thingName: 'tabs-a' })
    await until(() => device.pendingDelta?.state['temperature'] === 30, "A's delta")
    expect(device.connection?.state).toBe('connected')

    await device.stopFor({ thingName: 'tabs-a' })
    expect(await t.api.call('device.list', {})).toEqual([])
    expect(device.runningIds.size).toBe(0)
  })
})
