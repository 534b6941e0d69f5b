import { CreatePolicyVersionCommand, GetPolicyCommand, SetDefaultPolicyVersionCommand } from '@aws-sdk/client-iot'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ShadowClient, watchShadow, type ShadowWatch, type ShadowWatchEvent } from '../../../electron/core/shadow'
import type { MqttJsConnection } from '../../support/mqttJsConnection'
import { startShadowWorld, type ShadowWorld } from './support/world'

// The watch on a real broker: documents in version order, whoever changed the shadow and however.

let w: ShadowWorld
let connection: MqttJsConnection
let mqtt: ShadowClient
let watch: ShadowWatch | undefined
beforeEach(async () => {
  w = await startShadowWorld()
  connection = await w.connect(await w.provisionThing('lamp-1'))
  mqtt = ShadowClient.overMqtt(connection, { timeoutMs: 5000 })
})
afterEach(async () => {
  await watch?.stop()
  watch = undefined
  await mqtt?.close()
  await w?.close()
})

function record(target: ShadowWatch): ShadowWatchEvent[] {
  const events: ShadowWatchEvent[] = []
  target.on((event) => events.push(event))
  return events
}

const versionsOf = (events: ShadowWatchEvent[], type: 'document' | 'delta') =>
  events.flatMap((e) => (e.type === 'document' && type === 'document' ? [e.document.version] : e.type === 'delta' && type === 'delta' ? [e.delta.version] : []))

describe('watch', () => {
  it('starts with the shadow as it is, then every version once, in order, under concurrent updates over HTTP and MQTT and other clients\' gets', async () => {
    const key = { thingName: 'lamp-1' }
    await w.http.update(key, { state: { desired: { step: 0 }, reported: { step: 0 } } })
    watch = await watchShadow(connection, key)
    const started = watch
    const listened = record(watch)
    const events: ShadowWatchEvent[] = []
    const iterating = (async () => {
      for await (const event of started) events.push(event)
    })()

    // 40 updates at once, half over each wire, with gets in between whose answers every subscriber receives.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0 ? w.http.update(key, { state: { desired: { step: i + 1 } } }) : mqtt.update(key, { state: { reported: { step: i + 1 } } }).then(() => mqtt.get(key))
      )
    )
    const final = await w.http.get(key)
    expect(final.version).toBe(41)
    await vi.waitFor(() => expect(watch!.lastVersion).toBe(41))
    await vi.waitFor(() => expect(events.at(-1)?.type === 'document' && events.at(-1)).toMatchObject({ document: { version: 41 } }))

    const documents = versionsOf(events, 'document')
    expect(documents[0]).toBe(1)
    expect(events[0]).toMatchObject({ type: 'document', source: 'get', document: { version: 1, state: { desired: { step: 0 }, reported: { step: 0 } } } })
    // Strictly increasing: nothing stale, nothing twice.
    expect(documents).toEqual([...documents].sort((a, b) => a - b))
    expect(new Set(documents).size).toBe(documents.length)
    expect(documents.at(-1)).toBe(41)
    const deltas = versionsOf(events, 'delta')
    expect(new Set(deltas).size).toBe(deltas.length)
    expect(deltas).toEqual([...deltas].sort((a, b) => a - b))
    // No gaps on a loopback broker: every version arrived.
    expect(documents).toEqual(Array.from({ length: 41 }, (_, i) => i + 1))
    expect(events.some((e) => e.type === 'gap')).toBe(false)
    // The gets' answers (broadcast to every subscriber) came in at versions already shown.
    expect(watch.dropped).toBeGreaterThan(0)

    const last = events.findLast((e) => e.type === 'document')
    expect(last?.type === 'document' && last.document.state).toMatchObject({ desired: final.state.desired, reported: final.state.reported })

    // The listener, added after start, saw the same stream but the first get; the iterator ends on stop().
    expect(listened).toEqual(events.slice(1))
    await watch.stop()
    await iterating
  })

  it('an update/documents carries the previous document; deltas come with their version; a delete is reported; a missing shadow starts as absent', async () => {
    const key = { thingName: 'lamp-1', shadowName: 'config' }
    watch = await watchShadow(connection, key)
    const stream = watch[Symbol.asyncIterator]()
    const next = async () => {
      const event = (await stream.next()).value as ShadowWatchEvent
      if (event.type === 'document') return { type: event.type, version: event.document.version, previous: event.previous?.version ?? null }
      if (event.type === 'delta') return { type: event.type, version: event.delta.version, delta: event.delta.state }
      return event
    }
    /** The next `n` events, those of one version sorted (a delta and its document may arrive in either order). */
    const nextEvents = async (n: number) => {
      const events = []
      for (let i = 0; i < n; i++) events.push(await next())
      return events.sort((a, b) => (a.type === 'delta' ? 1 : 0) - (b.type === 'delta' ? 1 : 0))
    }
    expect(await next()).toEqual({ type: 'absent' })

    await w.http.update(key, { state: { desired: { interval: 60 } } })
    expect(await nextEvents(2)).toEqual([
      { type: 'document', version: 1, previous: null },
      { type: 'delta', version: 1, delta: { interval: 60 } }
    ])
    await mqtt.update(key, { state: { reported: { interval: 60 } } })
    expect(await nextEvents(1)).toEqual([{ type: 'document', version: 2, previous: 1 }])
    await mqtt.delete(key)
    expect(await next()).toEqual({ type: 'deleted', version: 2 })
    // Re-created: the version goes on from the deleted one, and there was no previous document.
    await w.http.update(key, { state: { desired: { interval: 30 } } })
    expect(await nextEvents(2)).toEqual([
      { type: 'document', version: 3, previous: null },
      { type: 'delta', version: 3, delta: { interval: 30 } }
    ])
  })

  it('a version jump (documents not delivered) is reported as a gap, and the shadow is got again', async () => {
    const key = { thingName: 'lamp-1' }
    await w.http.update(key, { state: { desired: { step: 1 } } })
    watch = await watchShadow(connection, key)
    const events: ShadowWatchEvent[] = []
    const started = watch
    void (async () => {
      for await (const event of started) events.push(event)
    })()
    // The broker checks iot:Receive on every delivery: while the policy denies update/documents, those
    // messages are not delivered (and nothing else changes), as on AWS.
    const policyName = 'ThingBench-shadow'
    const policy = await w.sandbox.iot.send(new GetPolicyCommand({ policyName }))
    const document = JSON.parse(policy.policyDocument!) as { Statement: unknown[] }
    const deny = { Effect: 'Deny', Action: 'iot:Receive', Resource: `arn:aws:iot:${w.sandbox.core.region}:${w.sandbox.core.accountId}:topic/$aws/things/lamp-1/shadow/update/documents` }
    await w.sandbox.iot.send(new CreatePolicyVersionCommand({ policyName, policyDocument: JSON.stringify({ ...document, Statement: [...document.Statement, deny] }), setAsDefault: true }))
    for (const step of [2, 3, 4]) await w.http.update(key, { state: { desired: { step } } })
    await w.sandbox.iot.send(new SetDefaultPolicyVersionCommand({ policyName, policyVersionId: policy.defaultVersionId! }))
    const droppedBefore = watch.dropped
    await w.http.update(key, { state: { desired: { step: 5 } } })

    await vi.waitFor(() => expect(events.filter((e) => e.type === 'document').length).toBeGreaterThanOrEqual(2))
    await new Promise((resolve) => setTimeout(resolve, 200))
    const documents = events.filter((e) => e.type === 'document')
    expect(events.find((e) => e.type === 'gap')).toEqual({ type: 'gap', lastVersion: 1, receivedVersion: 5 })
    // Version 5 once: from update/documents; the get that follows answers the same version and is dropped.
    expect(documents.map((e) => e.type === 'document' && [e.document.version, e.source])).toEqual([
      [1, 'get'],
      [5, 'documents']
    ])
    // The get after the gap: its answer came twice (the get/accepted subscription and the request), both dropped.
    expect(watch.dropped).toBe(droppedBefore + 2)
  })

  it('stop() unsubscribes: later updates reach no listener, and the connection serves others', async () => {
    const key = { thingName: 'lamp-1' }
    watch = await watchShadow(connection, key)
    const events = record(watch)
    await watch.stop()
    await w.http.update(key, { state: { desired: { on: true } } })
    expect(await mqtt.get(key)).toMatchObject({ version: 1 })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(events).toEqual([])
    expect(connection.current.state).toBe('connected')
  })
})
