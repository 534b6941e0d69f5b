import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { saveEndpoint } from '../../../electron/app/savedEndpoints'
import { ApiError, type ApiClient, type ApiEvents, type EventName } from '../../../electron/contract'
import { apiClientFor } from './support/apiClient'
import { startTestHeadless, type TestHeadless } from './support/headless'
import { rejectionOf } from '../../support/refusal'

const refusal = (call: Promise<unknown>): Promise<ApiError> => rejectionOf(call, ApiError)

// shadow.*, device.* and mqtt.* over the real WebSocket transport: the headless server on a real
// session, the embedded Local IoT Core, a thing provisioned through the contract, and a `ws` client
// with the renderer's own transport. Every MQTT connection is aws-crt's (one per fork).

let t: TestHeadless
let api: ApiClient
type Seen = { [E in EventName]: { event: E; payload: ApiEvents[E] } }[EventName]
const seen: Seen[] = []

function events<E extends EventName>(event: E): Array<ApiEvents[E]> {
  return seen.filter((s): s is Extract<Seen, { event: E }> => s.event === event).map((s) => s.payload as ApiEvents[E])
}

const certificateIds = new Map<string, string>()
async function provisioned(thingName: string): Promise<void> {
  const outcome = await api.call('provisioning.run', { plan: { thingName } })
  if (outcome.outcome !== 'provisioned') throw new Error(`provisioning ${thingName} failed: ${JSON.stringify(outcome)}`)
  certificateIds.set(thingName, outcome.result.certificateId)
}

beforeAll(async () => {
  t = await startTestHeadless()
  api = apiClientFor(t.server)
  const names: EventName[] = ['shadow.document', 'shadow.delta', 'shadow.watchState', 'device.event', 'mqtt.message', 'mqtt.connectionState', 'mqtt.subscriptionEnded']
  for (const event of names) api.on(event, (payload) => seen.push({ event, payload } as Seen))
  await provisioned('lamp-1')
  await provisioned('lamp-2')
}, 60_000)
afterAll(async () => {
  await t?.close()
})

describe('shadow.* over HTTP and MQTT', () => {
  it('updates over http and mqtt, gets either way, and lists the named shadows', async () => {
    const first = await api.call('shadow.update', { thingName: 'lamp-1', desired: { on: false } })
    expect(first).toMatchObject({ outcome: 'accepted', accepted: { state: { desired: { on: false } }, version: 1 } })
    const second = await api.call('shadow.update', { thingName: 'lamp-1', reported: { on: false, level: 1 }, via: 'mqtt', clientToken: 'ui-2' })
    expect(second).toMatchObject({ outcome: 'accepted', accepted: { state: { reported: { on: false, level: 1 } }, version: 2, clientToken: 'ui-2' } })

    const overHttp = await api.call('shadow.get', { thingName: 'lamp-1' })
    const overMqtt = await api.call('shadow.get', { thingName: 'lamp-1', via: 'mqtt' })
    expect(overHttp.state).toEqual({ desired: { on: false }, reported: { on: false, level: 1 } })
    expect(overMqtt).toMatchObject({ state: overHttp.state, version: 2 })
    expect(typeof overHttp.metadata.reported?.level).toBe('object')

    await api.call('shadow.update', { thingName: 'lamp-1', shadowName: 'thermostat', reported: { celsius: 20 } })
    await api.call('shadow.update', { thingName: 'lamp-1', shadowName: 'dimmer', desired: { level: 0 } })
    const firstPage = await api.call('shadow.list', { thingName: 'lamp-1', maxResults: 1 })
    expect(firstPage.shadowNames).toHaveLength(1)
    const secondPage = await api.call('shadow.list', { thingName: 'lamp-1', nextToken: firstPage.nextToken! })
    expect([...firstPage.shadowNames, ...secondPage.shadowNames].sort()).toEqual(['dimmer', 'thermostat'])
    expect(secondPage.nextToken).toBeUndefined()
    expect((await refusal(api.call('shadow.get', { thingName: 'lamp-2' }))).errorName).toBe('ResourceNotFoundException')
  })

  it('answers a stale version with both sides, over either wire, and changes nothing', async () => {
    const before = await api.call('shadow.get', { thingName: 'lamp-1' })
    for (const via of ['http', 'mqtt'] as const) {
      const outcome = await api.call('shadow.update', { thingName: 'lamp-1', desired: { on: true }, version: 1, via })
      if (outcome.outcome !== 'conflict') throw new Error(`expected a conflict, got ${JSON.stringify(outcome)}`)
      expect(outcome.errorName).toBe('ConflictException')
      expect(outcome.message).toMatch(/version 1.*version 2/)
      expect(outcome.attempted).toEqual({ state: { desired: { on: true } }, version: 1 })
      expect(outcome.current).toMatchObject({ state: before.state, version: 2 })
    }
    expect(await api.call('shadow.get', { thingName: 'lamp-1' })).toMatchObject({ state: before.state, version: 2 })
  })

  it('deletes a shadow, and a later one continues its version', async () => {
    const deleted = await api.call('shadow.delete', { thingName: 'lamp-1', shadowName: 'thermostat', via: 'mqtt' })
    expect(deleted.version).toBe(1)
    expect((await refusal(api.call('shadow.get', { thingName: 'lamp-1', shadowName: 'thermostat' }))).errorName).toBe('ResourceNotFoundException')
    expect((await api.call('shadow.list', { thingName: 'lamp-1' })).shadowNames).toEqual(['dimmer'])
  })
})

describe('shadow.watch and device.*', () => {
  it('a watch sees an update made by shadow.update and the simulated device answering it; the device reports delta then reported', async () => {
    const watched = await api.call('shadow.watch', { thingName: 'lamp-1' })
    expect(watched.document).toMatchObject({ version: 2, state: { desired: { on: false }, reported: { on: false, level: 1 } } })
    const { watchId } = watched

    const device = await api.call('device.start', { thingName: 'lamp-1', answering: { mode: 'auto', delayMs: 100 } })
    expect(device).toMatchObject({ thingName: 'lamp-1', clientId: 'lamp-1', reported: { on: false, level: 1 }, answering: { mode: 'auto', delayMs: 100 } })
    expect(device.connection.state).toBe('connected')
    expect(await api.call('device.list', {})).toEqual([expect.objectContaining({ deviceId: device.deviceId })])

    await api.call('shadow.update', { thingName: 'lamp-1', desired: { on: true, level: 4 }, clientToken: 'operator-3' })
    const ofDevice = () => events('device.event').filter((e) => e.deviceId === device.deviceId)
    await vi.waitFor(() => expect(ofDevice().map((e) => e.change.type)).toEqual(['delta', 'reported']), { timeout: 5000 })
    expect(ofDevice()[0]!.change).toMatchObject({ type: 'delta', delta: { state: { on: true, level: 4 }, version: 3, clientToken: 'operator-3' } })
    expect(ofDevice()[0]!.message).toMatch(/version 3.*answering in 100 ms/)
    expect(ofDevice()[1]!.change).toMatchObject({ type: 'reported', patch: { on: true, level: 4 }, accepted: { version: 4 } })

    const documents = () => events('shadow.document').filter((e) => e.watchId === watchId)
    await vi.waitFor(() => expect(documents().map((e) => e.document.version)).toEqual([3, 4]), { timeout: 5000 })
    expect(documents()[0]).toMatchObject({ source: 'documents', thingName: 'lamp-1', previous: { version: 2 }, clientToken: 'operator-3', document: { state: { desired: { on: true, level: 4 } } } })
    expect(documents()[1]!.document.state.reported).toEqual({ on: true, level: 4 })
    expect(events('shadow.delta').filter((e) => e.watchId === watchId).map((e) => e.delta.state)).toEqual([{ on: true, level: 4 }])

    await api.call('device.stop', { deviceId: device.deviceId })
    await api.call('shadow.unwatch', { watchId })
    expect(await api.call('device.list', {})).toEqual([])
    expect(events('shadow.watchState').filter((e) => e.watchId === watchId).at(-1)).toMatchObject({ change: { kind: 'stopped', because: 'asked' } })
    expect(ofDevice().at(-1)).toMatchObject({ change: { type: 'stopped', because: 'asked' } })
    // Nobody holds lamp-1's connection any more: it is disconnected.
    await vi.waitFor(() => expect(events('mqtt.connectionState').filter((e) => e.identity.clientId === 'lamp-1').at(-1)?.state.state).toBe('closed'))
  })

  it('on command: the delta waits for device.acknowledge; device.report reports anything', async () => {
    const device = await api.call('device.start', { thingName: 'lamp-1', shadowName: 'dimmer', initialReported: { level: 0 }, answering: { mode: 'manual' } })
    expect(device.reported).toEqual({ level: 0 })
    await api.call('shadow.update', { thingName: 'lamp-1', shadowName: 'dimmer', desired: { level: 3 } })
    const ofDevice = () => events('device.event').filter((e) => e.deviceId === device.deviceId)
    await vi.waitFor(() => expect(ofDevice().map((e) => e.change.type)).toEqual(['reported', 'delta']))
    expect(ofDevice()[1]!.message).toMatch(/waiting to be accepted/)
    const listed = await api.call('device.list', {})
    expect(listed, JSON.stringify(listed)).toEqual([expect.objectContaining({ deviceId: device.deviceId, pendingDelta: expect.objectContaining({ state: { level: 3 } }) })])
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect((await api.call('shadow.get', { thingName: 'lamp-1', shadowName: 'dimmer' })).state.delta).toEqual({ level: 3 })

    const { accepted } = await api.call('device.acknowledge', { deviceId: device.deviceId })
    expect(accepted).toMatchObject({ state: { reported: { level: 3 } } })
    expect((await api.call('device.acknowledge', { deviceId: device.deviceId })).accepted).toBeNull()
    await api.call('device.report', { deviceId: device.deviceId, reported: { watts: 7.5 } })
    expect((await api.call('shadow.get', { thingName: 'lamp-1', shadowName: 'dimmer' })).state).toEqual({ desired: { level: 3 }, reported: { level: 3, watts: 7.5 } })

    const twin = await refusal(api.call('device.start', { thingName: 'lamp-1', shadowName: 'dimmer' }))
    expect(twin.errorName).toBe('DeviceAlreadyRunning')
    expect(twin.message).toContain(device.deviceId)
    await api.call('device.stop', { deviceId: device.deviceId })
  })
})

describe('mqtt.*', () => {
  it('an operator subscription receives what the thing publishes, as text, and bytes as base64', async () => {
    const shadowTopic = await api.call('mqtt.subscribe', { filter: '$aws/things/lamp-1/shadow/update', qos: 1, as: { operator: true } })
    expect(shadowTopic.identity).toMatchObject({ kind: 'operator', clientId: expect.stringMatching(/^thingbench-[0-9a-f]{12}$/) })
    const bench = await api.call('mqtt.subscribe', { filter: 'bench/+/raw', as: { operator: true } })

    const report = JSON.stringify({ state: { reported: { on: true } } })
    await api.call('mqtt.publish', { topic: '$aws/things/lamp-1/shadow/update', payload: report, as: { thingName: 'lamp-1' } })
    await api.call('mqtt.publish', { topic: 'bench/lamp-1/raw', payload: Buffer.from([0xff, 0x00, 0xfe]).toString('base64'), encoding: 'base64', qos: 0, as: { operator: true } })

    await vi.waitFor(() => expect(events('mqtt.message')).toHaveLength(2))
    expect(events('mqtt.message')).toEqual(
      expect.arrayContaining([
        { subscriptionId: shadowTopic.subscriptionId, topic: '$aws/things/lamp-1/shadow/update', payload: report, encoding: 'utf8', qos: 1, retain: false },
        { subscriptionId: bench.subscriptionId, topic: 'bench/lamp-1/raw', payload: '/wD+', encoding: 'base64', qos: 0, retain: false }
      ])
    )
    await api.call('mqtt.unsubscribe', { subscriptionId: shadowTopic.subscriptionId })
    await api.call('mqtt.unsubscribe', { subscriptionId: bench.subscriptionId })
    expect((await refusal(api.call('mqtt.unsubscribe', { subscriptionId: bench.subscriptionId }))).errorName).toBe('InvalidArguments')
  })

  it('a publish to another thing’s topic is refused in plain words, and the connection state says why', async () => {
    const before = seen.length
    const error = await refusal(api.call('mqtt.publish', { topic: '$aws/things/lamp-2/shadow/update', payload: '{"state":{"reported":{"on":true}}}', as: { thingName: 'lamp-1' } }))
    expect(error.message).toMatch(/policy does not allow publishing to \$aws\/things\/lamp-2\/shadow\/update/)
    const states = seen.slice(before).flatMap((s) => (s.event === 'mqtt.connectionState' && s.payload.identity.clientId === 'lamp-1' ? [s.payload.message] : []))
    expect(states.join('\n')).toMatch(/policy does not allow publishing to \$aws\/things\/lamp-2/)
    expect((await api.call('shadow.get', { thingName: 'lamp-2' }).catch((e: ApiError) => e.errorName))).toBe('ResourceNotFoundException')
  })
})

describe('a connection closed for good', () => {
  it('ends the device and the subscriptions on it, and says why: the certificate was deactivated', async () => {
    const { deviceId } = await api.call('device.start', { thingName: 'lamp-2', initialReported: { on: false } })
    const { subscriptionId } = await api.call('mqtt.subscribe', { filter: '$aws/things/lamp-2/shadow/#', as: { thingName: 'lamp-2' } })
    await api.call('certificates.setStatus', { certificateId: certificateIds.get('lamp-2')!, status: 'INACTIVE' })
    const ofDevice = () => events('device.event').filter((e) => e.deviceId === deviceId)
    await vi.waitFor(() => expect(ofDevice().at(-1)).toMatchObject({ change: { type: 'stopped', because: 'connectionClosed' } }), { timeout: 15_000 })
    const closed = ofDevice().find((e) => e.change.type === 'connection' && e.change.state.state === 'closed')
    expect(closed?.message).toMatch(/Thing lamp-2 is closed: .*certificate is not active/)
    expect(events('mqtt.subscriptionEnded').filter((e) => e.subscriptionId === subscriptionId)).toEqual([expect.objectContaining({ because: 'connectionClosed' })])
    expect(events('mqtt.connectionState').filter((e) => e.identity.clientId === 'lamp-2').at(-1)?.message).toMatch(/certificate is not active/)
    expect(await api.call('device.list', {})).toEqual([])
    await api.call('certificates.setStatus', { certificateId: certificateIds.get('lamp-2')!, status: 'ACTIVE' })
  }, 30_000)
})

describe('another connection', () => {
  it('stops the watches, devices and subscriptions of the old connection and says so; choosing the same one again keeps them', async () => {
    const { watchId } = await api.call('shadow.watch', { thingName: 'lamp-1', shadowName: 'dimmer' })
    const { deviceId } = await api.call('device.start', { thingName: 'lamp-1', shadowName: 'dimmer' })
    const { subscriptionId } = await api.call('mqtt.subscribe', { filter: 'bench/#', as: { operator: true } })
    const second = await api.call('shadow.watch', { thingName: 'lamp-1' })
    const operatorStates = events('mqtt.connectionState').filter((e) => e.identity.kind === 'operator').length

    await api.call('connections.select', { id: 'local' })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await api.call('device.list', {})).toHaveLength(1)
    // Both watches and the subscription share the one operator connection: no new connection was made for the second watch.
    expect(events('mqtt.connectionState').filter((e) => e.identity.kind === 'operator').length).toBe(operatorStates)

    // Saved as `thingbench connections add` saves one; selecting it makes no call to it.
    await saveEndpoint(t.session.layout.settingsFile, { url: 'http://127.0.0.1:9', region: 'us-east-1' })
    await api.call('connections.select', { id: 'endpoint:http://127.0.0.1:9' })
    await vi.waitFor(() => {
      for (const id of [watchId, second.watchId])
        expect(events('shadow.watchState').filter((e) => e.watchId === id).at(-1)).toMatchObject({ change: { kind: 'stopped', because: 'connectionChanged' } })
      expect(events('device.event').filter((e) => e.deviceId === deviceId).at(-1)).toMatchObject({ change: { type: 'stopped', because: 'connectionChanged' } })
      expect(events('mqtt.subscriptionEnded').filter((e) => e.subscriptionId === subscriptionId)).toEqual([expect.objectContaining({ because: 'connectionChanged' })])
    })
    expect(events('shadow.watchState').filter((e) => e.watchId === watchId).at(-1)?.message).toMatch(/another connection/)
    expect(await api.call('device.list', {})).toEqual([])
    expect((await refusal(api.call('shadow.unwatch', { watchId }))).errorName).toBe('InvalidArguments')
    await api.call('connections.select', { id: 'local' })
  })
})

describe('bad arguments are refused by the dispatcher, naming the field', () => {
  const table = [
    ['shadow.get', { thingName: 'bad name!' }, /thingName: Thing name may contain only/],
    ['shadow.update', { thingName: 'lamp-1', shadowName: 'a/b', desired: { on: true } }, /shadowName: Shadow name may contain only/],
    ['shadow.update', { thingName: 'lamp-1' }, /desired: give desired, reported or both/],
    ['shadow.update', { thingName: 'lamp-1', desired: { text: 'x'.repeat(9000) } }, /desired: is 90\d\d bytes as JSON.*8192 bytes/],
    ['shadow.unwatch', { watchId: '2f1c1f0e-8a4b-4d5e-9f00-000000000000' }, /shadow.unwatch: watchId: there is no watch/],
    ['device.acknowledge', { deviceId: '2f1c1f0e-8a4b-4d5e-9f00-000000000000' }, /deviceId: there is no simulated device/],
    ['mqtt.publish', { topic: 'bench/big', payload: 'x'.repeat(128 * 1024 + 1), as: { operator: true } }, /payload: is 131073 bytes.*131072/],
    ['mqtt.publish', { topic: 'bench/+', payload: '', as: { operator: true } }, /topic: A topic to publish to may not contain the wildcards/],
    ['mqtt.subscribe', { filter: 'bench/#/x', as: { operator: true } }, /filter: In a topic filter/],
    ['mqtt.subscribe', { filter: 'bench/#', qos: 2, as: { operator: true } }, /qos: qos is 0 or 1/],
    ['mqtt.subscribe', { filter: 'bench/#', as: { operator: true, thingName: 'lamp-1' } }, /as: give either/]
  ] as const
  it.each(table.map(([method, args, message]) => ({ method, args, message, field: String(message).slice(1, 40) })))('$method: $field', async ({ method, args, message }) => {
    const error = await refusal(api.call(method, args as never))
    expect(error.errorName).toBe('InvalidArguments')
    expect(error.message).toMatch(message)
  })
})
