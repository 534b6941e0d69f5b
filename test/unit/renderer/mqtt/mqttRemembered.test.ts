// @vitest-environment happy-dom
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { useMqttStore } from '../../../../renderer/src/stores/useMqttStore'
import { startTestApi, type TestApi } from '../../../support/apiBackend'
import { until } from '../../../support/until'
import { freshPinia } from '../registry/registryApp'

// The MQTT client's subscriptions outlive a reload (a fresh Pinia on the same storage), against the
// real back end and the Local IoT Core; one that cannot be made again is forgotten, and says why.
let t: TestApi

beforeAll(async () => {
  t = await startTestApi()
  const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'remembered-lamp' } })
  if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
}, 120_000)
afterAll(async () => {
  await t?.close()
})
beforeEach(() => {
  localStorage.clear()
  freshPinia(t.api)
})
afterEach(async () => {
  await useMqttStore().unsubscribeAll()
})

const operator = { operator: true } as const

describe('remembered MQTT subscriptions', () => {
  it('subscribes again after a reload to what was subscribed, as whoever subscribed, and forgets what was unsubscribed', async () => {
    const before = useMqttStore()
    expect(await before.subscribe('remember/+/temp', 1, operator)).toBe(true)
    expect(await before.subscribe('$aws/things/remembered-lamp/shadow/get/+', 0, { thingName: 'remembered-lamp' })).toBe(true)
    expect(await before.subscribe('remember/forgotten', 0, operator)).toBe(true)
    expect(await before.unsubscribe(before.subscriptions.find((s) => s.filter === 'remember/forgotten')!.subscriptionId)).toBe(true)

    freshPinia(t.api)
    const store = useMqttStore()
    expect(store.subscriptions).toEqual([])
    await store.restoreSubscriptions()
    expect(store.subscriptions.map((s) => [s.filter, s.qos, s.identity.kind])).toEqual([
      ['remember/+/temp', 1, 'operator'],
      ['$aws/things/remembered-lamp/shadow/get/+', 0, 'device']
    ])
    // Once per start: a second call does not subscribe twice.
    await store.restoreSubscriptions()
    expect(store.subscriptions).toHaveLength(2)

    expect(await store.publish({ topic: 'remember/kitchen/temp', payload: '21', format: 'text', qos: 1, retain: false, as: operator })).toBe(true)
    await until(() => store.log.some((m) => m.topic === 'remember/kitchen/temp'), 'the message on the restored subscription')
  })

  it('forgets a remembered subscription that is refused now, and says why with the error name', async () => {
    localStorage.setItem('thingbench.mqtt.subscriptions', JSON.stringify([{ filter: 'gone/#', qos: 0, as: { thingName: 'no-such-thing' } }]))
    const store = useMqttStore()
    await store.restoreSubscriptions()
    expect(store.subscriptions).toEqual([])
    expect(store.notices.at(-1)).toMatch(/^Not subscribed again to gone\/#: \w+: .*no-such-thing/)
    expect(store.rememberedSubscriptions).toEqual([])
    expect(JSON.parse(localStorage.getItem('thingbench.mqtt.subscriptions')!)).toEqual([])
  })
})
