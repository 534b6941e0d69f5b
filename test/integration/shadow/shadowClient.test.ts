import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ShadowClient, ShadowConflictError, ShadowError, type ShadowKey } from '../../../electron/core/shadow'
import { signedDataPlaneFetch } from '../../support/dataPlane'
import { startShadowWorld, type ShadowWorld } from './support/world'
import { rejectionOf } from '../../support/refusal'

const refusal = (call: Promise<unknown>): Promise<ShadowError> => rejectionOf(call, ShadowError)

// The shadow client against a Local IoT Core started in-process: over MQTT as the thing itself
// (mTLS with its vault key, the seed shadow policy) and over HTTP with the real data-plane SDK.

let w: ShadowWorld
let mqtt: ShadowClient
beforeEach(async () => {
  w = await startShadowWorld()
  const lamp = await w.provisionThing('lamp-1')
  mqtt = ShadowClient.overMqtt(await w.connect(lamp), { timeoutMs: 5000 })
})
afterEach(async () => {
  await mqtt?.close()
  await w?.close()
})

/** A document without what differs from answer to answer (the time it was produced, the request's token). */
function comparable(document: object): object {
  return JSON.parse(JSON.stringify(document, (key, value: unknown) => (key === 'timestamp' || key === 'clientToken' ? undefined : value))) as object
}

describe('the same shadow documents over MQTT and over HTTP', () => {
  it('get, update and delete of a named shadow: the same answers whichever wire made them, and each wire reads what the other wrote', async () => {
    // The same requests on two named shadows of the thing, one over each wire.
    const run = async (client: ShadowClient, key: ShadowKey) => {
      const created = await client.update(key, { state: { desired: { on: true, level: 3 }, reported: { on: false } } })
      const afterCreate = await client.get(key)
      const versioned = await client.update(key, { state: { reported: { on: true, level: 3 }, desired: { colour: 'red' } }, version: 1 })
      const afterReport = await client.get(key)
      const cleared = await client.update(key, { state: { desired: { colour: null } } })
      const deleted = await client.delete(key)
      const missing = await refusal(client.get(key))
      return { created, afterCreate, versioned, afterReport, cleared, deleted, missing: { name: missing.errorName, code: missing.code, message: missing.message } }
    }
    const overMqtt = await run(mqtt, { thingName: 'lamp-1', shadowName: 'viaMqtt' })
    const overHttp = await run(w.http, { thingName: 'lamp-1', shadowName: 'viaHttp' })

    expect(overMqtt.afterCreate).toMatchObject({
      state: { desired: { on: true, level: 3 }, reported: { on: false }, delta: { on: true, level: 3 } },
      version: 1
    })
    expect(overMqtt.afterReport).toMatchObject({ state: { desired: { on: true, level: 3, colour: 'red' }, reported: { on: true, level: 3 }, delta: { colour: 'red' } }, version: 2 })
    expect(overMqtt.deleted.version).toBe(3)
    expect(overMqtt.missing).toEqual({ name: 'ResourceNotFoundException', code: 404, message: "No shadow exists with name: 'viaMqtt'" })
    expect(overHttp.missing).toEqual({ name: 'ResourceNotFoundException', code: 404, message: "No shadow exists with name: 'viaHttp'" })
    const { missing: _m1, ...mqttDocuments } = overMqtt
    const { missing: _m2, ...httpDocuments } = overHttp
    expect(comparable(mqttDocuments)).toEqual(comparable(httpDocuments))

    // Across wires: what MQTT writes HTTP reads, and the other way round.
    const classic = { thingName: 'lamp-1' }
    await mqtt.update(classic, { state: { reported: { temperature: 21.5 } } })
    await w.http.update(classic, { state: { desired: { temperature: 19 } } })
    const [viaMqtt, viaHttp] = [await mqtt.get(classic), await w.http.get(classic)]
    expect(viaHttp).toMatchObject({ state: { desired: { temperature: 19 }, reported: { temperature: 21.5 }, delta: { temperature: 19 } }, version: 2 })
    expect(comparable(viaMqtt)).toEqual(comparable(viaHttp))
    expect(viaMqtt.clientToken).toBeUndefined()
  })

  it('lists named shadows over HTTP, never the classic one; over MQTT says that AWS has no such topic', async () => {
    await mqtt.update({ thingName: 'lamp-1' }, { state: { reported: { on: true } } })
    await mqtt.update({ thingName: 'lamp-1', shadowName: 'config' }, { state: { desired: { interval: 60 } } })
    await w.http.update({ thingName: 'lamp-1', shadowName: 'firmware' }, { state: { reported: { version: '1.2.0' } } })

    expect((await w.http.listNamedShadows('lamp-1')).names.sort()).toEqual(['config', 'firmware'])
    const first = await w.http.listNamedShadows('lamp-1', { pageSize: 1 })
    expect(first.names).toHaveLength(1)
    expect(first.nextToken).toBeDefined()
    const second = await w.http.listNamedShadows('lamp-1', { pageSize: 1, nextToken: first.nextToken })
    expect([...first.names, ...second.names].sort()).toEqual(['config', 'firmware'])

    const overMqtt = await refusal(mqtt.listNamedShadows('lamp-1'))
    expect(overMqtt.errorName).toBe('NotAvailableOverMqtt')
    expect(overMqtt.message).toMatch(/ListNamedShadowsForThing over HTTP only/)
  })
})

describe('optimistic locking', () => {
  it.each(['mqtt', 'http'] as const)('over %s, an update naming an old version is refused with 409 carrying what was attempted and the current shadow', async (via) => {
    const client = via === 'mqtt' ? mqtt : w.http
    const key = { thingName: 'lamp-1' }
    await client.update(key, { state: { desired: { on: true } } })
    // Someone else moves the shadow on (over the other wire).
    await (via === 'mqtt' ? w.http : mqtt).update(key, { state: { desired: { level: 7 } } })

    const attempted = { state: { desired: { on: false } }, version: 1 }
    const conflict = await refusal(client.update(key, attempted))
    expect(conflict).toBeInstanceOf(ShadowConflictError)
    expect(conflict).toMatchObject({ errorName: 'ConflictException', code: 409, via })
    expect(conflict.message).toMatch(/^Version conflict: the update named version 1, but the classic shadow of lamp-1 is at version 2\. Nothing was changed/)
    const { attempted: sent, current } = conflict as ShadowConflictError
    expect(sent).toEqual(attempted)
    expect(current).toMatchObject({ state: { desired: { on: true, level: 7 } }, version: 2 })
    // Nothing changed; the current version is accepted.
    expect((await w.http.get(key)).version).toBe(2)
    expect(await client.update(key, { ...attempted, version: 2 })).toMatchObject({ version: 3, state: { desired: { on: false } } })
  })
})

describe('bad input gets AWS\'s error and changes nothing', () => {
  const key = { thingName: 'lamp-1', shadowName: 'config' }
  const nested = (levels: number): Record<string, unknown> => (levels === 0 ? { leaf: 1 } : { next: nested(levels - 1) })

  it.each(['mqtt', 'http'] as const)('over %s: oversized, too deep, malformed JSON, a bad name', async (via) => {
    const client = via === 'mqtt' ? mqtt : w.http
    await client.update(key, { state: { desired: { on: true } } })

    const oversized = await refusal(client.update(key, { state: { desired: { blob: 'x'.repeat(9000) } } }))
    expect(oversized).toMatchObject({ errorName: 'RequestEntityTooLargeException', code: 413, message: 'The payload exceeds the maximum size allowed' })

    // desired is level 1: five objects below it are allowed, six are not.
    await client.update(key, { state: { desired: nested(5) as never } })
    const tooDeep = await refusal(client.update(key, { state: { desired: nested(6) as never } }))
    expect(tooDeep).toMatchObject({ errorName: 'InvalidRequestException', code: 400, message: 'JSON contains too many levels of nesting; maximum is 6' })

    const malformed = await refusal(client.update(key, '{"state": {"desired": {"on": false}'))
    expect(malformed.errorName).toBe('InvalidRequestException')
    expect(malformed.message).toMatch(/^Invalid JSON: .+ Nothing was sent/)

    const notAnObject = await refusal(client.update(key, '[1, 2]'))
    expect(notAnObject.errorName).toBe('InvalidRequestException')
    expect(notAnObject.message).toMatch(/^Missing required node: state/)

    const badName = await refusal(client.get({ thingName: 'lamp-1', shadowName: 'con/fig' }))
    expect(badName.errorName).toBe('InvalidRequestException')
    expect(badName.message).toBe('Shadow name may contain only letters, digits, "$", ":", "_" and "-". Nothing was sent.')
    const badThing = await refusal(client.update({ thingName: 'lamp+' }, { state: { desired: { on: true } } }))
    expect(badThing.message).toMatch(/^Thing name may contain only/)

    expect(await w.http.get(key)).toMatchObject({ version: 2, state: { desired: { on: true, ...nested(5) } } })
  })

  it('the service answers malformed JSON with the same error the client gives without sending it', async () => {
    const answer = await signedDataPlaneFetch(w.sandbox.core, { method: 'POST', path: '/things/lamp-1/shadow?name=config', body: '{"state": {"desired": {"on": false}' })
    const local = await refusal(w.http.update(key, '{"state": {"desired": {"on": false}'))
    expect(answer.status).toBe(400)
    expect(answer.headers.get('x-amzn-errortype')).toMatch(new RegExp(`^${local.errorName}`))
    expect(((await answer.json()) as { message: string }).message).toBe('Invalid JSON')
    expect(local.message.startsWith('Invalid JSON')).toBe(true)
  })
})
