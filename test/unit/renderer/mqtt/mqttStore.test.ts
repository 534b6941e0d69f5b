// @vitest-environment happy-dom
import { AttachPolicyCommand, CreatePolicyCommand } from '@aws-sdk/client-iot'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { describeError } from '../../../../renderer/src/components/describeError'
import { displayPayload } from '../../../../renderer/src/stores/support/mqttPayload'
import { logRefreshMs, useMqttStore } from '../../../../renderer/src/stores/useMqttStore'
import { startTestApi, type TestApi } from '../../../support/apiBackend'
import { freshPinia } from '../registry/registryApp'
import { until } from '../../../support/until'

// The MQTT client's store against the real back end and the Local IoT Core (the operator over
// WebSocket + SigV4, a thing over mutual TLS with its vault key), a fresh Pinia per test.
let t: TestApi

beforeAll(async () => {
  t = await startTestApi()
  for (const thingName of ['mqtt-lamp', 'mqtt-other']) {
    const outcome = await t.api.call('provisioning.run', { plan: { thingName } })
    if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
  }
  // A thing whose only policy lets it subscribe anywhere but connect only as another client id.
  const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'mqtt-wrong-client', policy: { mode: 'none' } } })
  if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
  const iot = await t.session.iotClient({ kind: 'local' })
  const policyDocument = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ConnectAsSomeoneElse', Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:*:*:client/someone-else' },
      { Sid: 'AnyFilter', Effect: 'Allow', Action: 'iot:Subscribe', Resource: 'arn:aws:iot:*:*:topicfilter/*' }
    ]
  })
  await iot.send(new CreatePolicyCommand({ policyName: 'mqtt-connect-elsewhere', policyDocument }))
  await iot.send(new AttachPolicyCommand({ policyName: 'mqtt-connect-elsewhere', target: outcome.result.certificateArn }))
}, 120_000)
afterAll(async () => {
  await t?.close()
})
let store: ReturnType<typeof useMqttStore>
beforeEach(() => {
  localStorage.clear()
  freshPinia(t.api)
  store = useMqttStore()
})
afterEach(async () => {
  await store.unsubscribeAll()
})

const operator = { operator: true } as const

describe('the MQTT store', () => {
  it('subscribes with a wildcard, publishes JSON, and logs what arrives newest first, searchable and exportable', async () => {
    expect(await store.subscribe('store/+/temp', 1, operator)).toBe(true)
    expect(store.subscriptions.map((s) => s.filter)).toEqual(['store/+/temp'])
    expect(await store.publish({ topic: 'store/kitchen/temp', payload: '{"celsius":21}', format: 'json', qos: 1, retain: false, as: operator })).toBe(true)
    expect(await store.publish({ topic: 'store/hall/temp', payload: 'cold', format: 'text', qos: 0, retain: false, as: operator })).toBe(true)
    // Not matched by the filter: never logged.
    await store.publish({ topic: 'store/kitchen/humidity', payload: '40', format: 'text', qos: 1, retain: false, as: operator })
    await until(() => store.log.length === 2, 'both messages in the log')
    expect(store.log.map((m) => m.topic)).toEqual(['store/hall/temp', 'store/kitchen/temp'])
    expect(store.log[1]).toMatchObject({ payload: '{"celsius":21}', encoding: 'utf8', qos: 1, filter: 'store/+/temp' })
    expect(store.formatOf(store.log[1]!)).toBe('json')
    expect(store.formatOf(store.log[0]!)).toBe('text')

    store.search = 'CELSIUS'
    expect(store.filtered.map((m) => m.topic)).toEqual(['store/kitchen/temp'])
    store.search = 'hall'
    expect(store.filtered.map((m) => m.topic)).toEqual(['store/hall/temp'])
    store.search = ''
    const lines = store.exportJsonLines().trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines.map((l) => [l['topic'], l['payload']])).toEqual([
      ['store/kitchen/temp', '{"celsius":21}'],
      ['store/hall/temp', 'cold']
    ])
    expect(Number.isNaN(Date.parse(lines[0]!['time'] as string))).toBe(false)

    expect(await store.unsubscribe(store.subscriptions[0]!.subscriptionId)).toBe(true)
    expect(store.subscriptions).toEqual([])
  })

  it('refuses a payload that is not what its format says, and sends nothing', async () => {
    await store.subscribe('store/bad/#', 0, operator)
    expect(await store.publish({ topic: 'store/bad/json', payload: '{"open": tru', format: 'json', qos: 1, retain: false, as: operator })).toBe(false)
    expect(describeError(store.publishError)).toMatch(/not valid JSON/)
    expect(await store.publish({ topic: 'store/bad/hex', payload: 'zz 01', format: 'hex', qos: 1, retain: false, as: operator })).toBe(false)
    expect(describeError(store.publishError)).toMatch(/not hex bytes/)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(store.received).toBe(0)
  })

  it('sends hex as bytes, and remembers the format chosen for a topic across a fresh store', async () => {
    await store.subscribe('store/bytes', 0, operator)
    await store.publish({ topic: 'store/bytes', payload: 'de ad be ef', format: 'hex', qos: 1, retain: false, as: operator })
    const [message] = await until(() => store.log.length === 1 && store.log, 'the bytes')
    expect(message).toMatchObject({ encoding: 'base64', payload: '3q2+7w==' })
    expect(store.formatOf(message!)).toBe('hex')
    expect(displayPayload(message!, 'hex')).toBe('de ad be ef')

    store.setFormat('store/bytes', 'text')
    await store.unsubscribeAll()
    freshPinia(t.api)
    store = useMqttStore()
    expect(store.formatOf(message!)).toBe('text')
  })

  it('keeps messages while paused and shows them on resume', async () => {
    await store.subscribe('store/pause', 0, operator)
    store.setPaused(true)
    for (let i = 0; i < 3; i++) await store.publish({ topic: 'store/pause', payload: String(i), format: 'text', qos: 1, retain: false, as: operator })
    await until(() => store.arrivedWhilePaused === 3, 'three messages while paused')
    await new Promise((resolve) => setTimeout(resolve, logRefreshMs * 2))
    expect(store.log).toEqual([])
    store.setPaused(false)
    expect(store.log.map((m) => m.payload)).toEqual(['2', '1', '0'])
    expect(store.arrivedWhilePaused).toBe(0)
  })

  it('subscribes and publishes as a thing with its own policy', async () => {
    expect(await store.subscribe('$aws/things/mqtt-lamp/shadow/get/+', 1, { thingName: 'mqtt-lamp' })).toBe(true)
    expect(store.subscriptions[0]!.identity).toEqual({ kind: 'device', thingName: 'mqtt-lamp', clientId: 'mqtt-lamp' })
    expect(await store.publish({ topic: '$aws/things/mqtt-lamp/shadow/get', payload: '{}', format: 'json', qos: 1, retain: false, as: { thingName: 'mqtt-lamp' } })).toBe(true)
    const answer = await until(() => store.log.find((m) => m.topic.startsWith('$aws/things/mqtt-lamp/shadow/get/')), 'the shadow service answer')
    expect(answer.topic).toMatch(/get\/(accepted|rejected)$/)
    expect(store.connections['mqtt-lamp']?.identity.kind).toBe('device')
  })

  it("explains a thing's refused subscribe with the policy that decided it", async () => {
    expect(await store.subscribe('$aws/things/mqtt-other/shadow/#', 1, { thingName: 'mqtt-lamp' })).toBe(false)
    expect(store.subscriptions).toEqual([])
    expect(describeError(store.subscribeError)).toMatch(/mqtt-other/)
    const refusal = store.refusal!
    expect(refusal).toMatchObject({ action: 'subscribe', thingName: 'mqtt-lamp', resource: '$aws/things/mqtt-other/shadow/#' })
    expect(refusal.explanation?.decision).toBe('IMPLICIT_DENY')
    expect(refusal.explanation?.summary).toContain(`policy ${refusal.explanation!.policiesInForce[0]}`)
    expect(refusal.explanation?.nearMisses.length).toBeGreaterThan(0)
  }, 30_000)

  it("explains a thing's refused connection with the policy that lacks iot:Connect for its client id", async () => {
    expect(await store.subscribe('lamps/#', 1, { thingName: 'mqtt-wrong-client' })).toBe(false)
    expect(store.subscriptions).toEqual([])
    const refusal = store.refusal!
    expect(refusal).toMatchObject({ action: 'connect', thingName: 'mqtt-wrong-client', resource: 'mqtt-wrong-client' })
    expect(describeError(refusal.error)).toMatch(/^MqttConnectionError: Cannot connect thing mqtt-wrong-client .*client id/i)
    expect(refusal.explanation).toMatchObject({ action: 'connect', decision: 'IMPLICIT_DENY', clientId: 'mqtt-wrong-client', policiesInForce: ['mqtt-connect-elsewhere'] })
    expect(refusal.explanation?.resourceArn).toMatch(/:client\/mqtt-wrong-client$/)
    expect(refusal.explanation?.summary).toBe(
      `Connecting with client id mqtt-wrong-client is denied implicitly: no statement of policy mqtt-connect-elsewhere allows iot:Connect on ${refusal.explanation!.resourceArn}`
    )
    expect(refusal.explanation?.nearMisses.map((s) => s.sid)).toEqual(['ConnectAsSomeoneElse'])
  }, 30_000)

  it('lists retained messages', async () => {
    await store.publish({ topic: 'store/retained/config', payload: '{"eco":true}', format: 'json', qos: 1, retain: true, as: operator })
    expect(await store.loadRetained()).toBe(true)
    expect(store.retained.find((m) => m.topic === 'store/retained/config')).toMatchObject({ payload: '{"eco":true}', encoding: 'utf8', qos: 1 })
  })
})
