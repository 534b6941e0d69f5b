import { describe, expect, it } from 'vitest'
import { acceptedPayload, fixture, lamp, lampConfig, rejection, START_S } from './bookFixture'

// research/iot-core.md §1.7 (what each response contains) and §7.2: accepted echoes the request,
// documents carries previous and current, delta carries only the delta, rejected is
// {code, message, timestamp?, clientToken?}.

const at = (timestamp: number) => ({ timestamp })

describe('update/accepted (iot-core.md §1.7)', () => {
  it("echoes the request's state exactly as sent (nulls included), not the merged document, with metadata for each field", () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { desired: { color: 'red', on: true }, reported: { color: 'blue' } } }))
    const result = f.update(lamp, { state: { desired: { color: 'green', on: null } }, clientToken: 'c-9' })
    expect(result.reply.topic).toBe('$aws/things/lamp-1/shadow/update/accepted')
    expect(acceptedPayload(result)).toEqual({
      state: { desired: { color: 'green', on: null } },
      metadata: { desired: { color: at(START_S), on: at(START_S) } },
      version: 2,
      timestamp: START_S,
      clientToken: 'c-9'
    })
  })

  it('a reported-only update answers with reported only; "desired": null gets one timestamp', () => {
    const f = fixture()
    expect(acceptedPayload(f.update(lamp, { state: { reported: { on: true }, desired: null } }))).toEqual({
      state: { reported: { on: true }, desired: null },
      metadata: { reported: { on: at(START_S) }, desired: at(START_S) },
      version: 1,
      timestamp: START_S
    })
  })

  it("members come in AWS's order: state, metadata, version, timestamp, clientToken", () => {
    const f = fixture()
    const body = JSON.stringify(acceptedPayload(f.update(lamp, { clientToken: 't', state: { desired: { a: 1 } } })))
    expect(body).toBe(`{"state":{"desired":{"a":1}},"metadata":{"desired":{"a":{"timestamp":${START_S}}}},"version":1,"timestamp":${START_S},"clientToken":"t"}`)
  })
})

describe('update/documents (iot-core.md §1.7)', () => {
  it('is published for every accepted update: previous is null when the update created the shadow', () => {
    const f = fixture()
    const result = f.update(lampConfig, { state: { desired: { mode: 'eco' } }, clientToken: 'n-1' })
    if (!result.accepted) throw new Error('expected accepted')
    const documents = result.notifications.find((m) => m.topic.endsWith('/documents'))
    expect(documents?.topic).toBe('$aws/things/lamp-1/shadow/name/config/update/documents')
    expect(documents?.payload).toEqual({
      previous: null,
      current: { state: { desired: { mode: 'eco' } }, metadata: { desired: { mode: at(START_S) } }, version: 1 },
      timestamp: START_S,
      clientToken: 'n-1'
    })
  })

  it('carries previous and current documents (state without delta, metadata, version)', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { desired: { on: true } } }))
    f.advance(3_000)
    const result = f.update(lamp, { state: { reported: { on: false } } })
    if (!result.accepted) throw new Error('expected accepted')
    expect(result.notifications.at(-1)).toEqual({
      topic: '$aws/things/lamp-1/shadow/update/documents',
      payload: {
        previous: { state: { desired: { on: true } }, metadata: { desired: { on: at(START_S) } }, version: 1 },
        current: {
          state: { desired: { on: true }, reported: { on: false } },
          metadata: { desired: { on: at(START_S) }, reported: { on: at(START_S + 3) } },
          version: 2
        },
        timestamp: START_S + 3
      }
    })
  })

  it('after {"state": null} the current document is empty', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { reported: { on: true } } }))
    const result = f.update(lamp, { state: null })
    if (!result.accepted) throw new Error('expected accepted')
    expect(result.notifications).toHaveLength(1)
    expect(result.notifications[0].payload.current).toEqual({ state: {}, metadata: {}, version: 2 })
  })
})

describe('update/delta (iot-core.md §1.7)', () => {
  it('carries the delta without a wrapper, the desired metadata of its paths, version, timestamp, clientToken', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { desired: { color: 'red', light: { level: 3, on: true } }, reported: { color: 'red', light: { on: true } } } }))
    f.advance(10_000)
    const result = f.update(lamp, { state: { desired: { brightness: 7 } }, clientToken: 'op-1' })
    if (!result.accepted) throw new Error('expected accepted')
    expect(result.notifications[0]).toEqual({
      topic: '$aws/things/lamp-1/shadow/update/delta',
      payload: {
        state: { light: { level: 3 }, brightness: 7 },
        metadata: { light: { level: at(START_S) }, brightness: at(START_S + 10) },
        version: 2,
        timestamp: START_S + 10,
        clientToken: 'op-1'
      }
    })
    expect(result.notifications.map((m) => m.topic.split('/').at(-1))).toEqual(['delta', 'documents'])
  })

  it('delta metadata of an array is its per-element metadata', () => {
    const f = fixture()
    const result = f.update(lamp, { state: { desired: { colors: ['RED', 'GREEN'] } } })
    if (!result.accepted) throw new Error('expected accepted')
    expect(result.notifications[0].payload).toMatchObject({ state: { colors: ['RED', 'GREEN'] }, metadata: { colors: [at(START_S), at(START_S)] } })
  })

  it('is not published when the delta is empty', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { desired: { on: true } } }))
    const result = f.update(lamp, { state: { reported: { on: true } } })
    if (!result.accepted) throw new Error('expected accepted')
    expect(result.notifications.map((m) => m.topic)).toEqual(['$aws/things/lamp-1/shadow/update/documents'])
  })

  it('by default is published after a reported-only update that leaves a delta; "whenChanged" publishes only a changed delta', () => {
    for (const [deltaPublication, expected] of [
      ['whenNonEmpty', ['delta', 'documents']],
      ['whenChanged', ['documents']]
    ] as const) {
      const f = fixture({ deltaPublication })
      acceptedPayload(f.update(lamp, { state: { desired: { on: true } } }))
      const result = f.update(lamp, { state: { reported: { temperature: 21 } } })
      if (!result.accepted) throw new Error('expected accepted')
      expect(result.notifications.map((m) => m.topic.split('/').at(-1))).toEqual(expected)
    }
  })
})

describe('get/accepted and delete/accepted (iot-core.md §1.7)', () => {
  it('get answers the whole document with delta, metadata of desired/reported, version, timestamp = now, clientToken', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { desired: { on: true }, reported: { on: false, fw: '1.2' } } }))
    f.advance(60_000)
    const result = f.book.get(lamp, Buffer.from('{"clientToken":"get-7"}'))
    expect(result.reply.topic).toBe('$aws/things/lamp-1/shadow/get/accepted')
    expect(acceptedPayload(result)).toEqual({
      state: { desired: { on: true }, reported: { on: false, fw: '1.2' }, delta: { on: true } },
      metadata: { desired: { on: at(START_S) }, reported: { on: at(START_S), fw: at(START_S) } },
      version: 1,
      timestamp: START_S + 60,
      clientToken: 'get-7'
    })
    if (result.accepted) expect(result.notifications).toEqual([])
  })

  it('get and delete take an empty payload or {"clientToken"}; other members are ignored, bad ones refused', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { reported: { on: true } } }))
    expect(acceptedPayload(f.book.get(lamp, '')).version).toBe(1)
    expect(acceptedPayload(f.book.get(lamp, '{"thingName":"lamp-1"}')).version).toBe(1)
    expect(rejection(f.book.get(lamp, '{not json')).payload).toEqual({ code: 400, message: 'Invalid JSON', timestamp: START_S })
    expect(rejection(f.book.get(lamp, JSON.stringify({ clientToken: 'x'.repeat(65) }))).payload).toMatchObject({ message: 'Invalid clientToken' })
    expect(rejection(f.book.delete(lamp, '[1]')).payload).toMatchObject({ code: 400, message: 'Invalid JSON' })
    expect(f.document().version).toBe(1)
  })

  it('delete/accepted is on the delete topic and publishes nothing else', () => {
    const f = fixture()
    acceptedPayload(f.update(lampConfig, { state: { reported: { on: true } } }))
    const result = f.book.delete(lampConfig)
    expect(result.reply.topic).toBe('$aws/things/lamp-1/shadow/name/config/delete/accepted')
    if (result.accepted) expect(result.notifications).toEqual([])
  })
})

describe('*/rejected (iot-core.md §1.3)', () => {
  it("has {code, message, timestamp, clientToken} in AWS's order, on the operation's rejected topic, and no notifications", () => {
    const f = fixture()
    const result = f.update(lampConfig, { state: { desired: 'on' }, clientToken: 'r-1' })
    expect(result.reply.topic).toBe('$aws/things/lamp-1/shadow/name/config/update/rejected')
    expect(JSON.stringify(rejection(result).payload)).toBe(`{"code":400,"message":"Desired node must be an object","timestamp":${START_S},"clientToken":"r-1"}`)
    expect(result).not.toHaveProperty('notifications')
  })

  it('handle() dispatches a parsed request topic to the same operations', () => {
    const f = fixture()
    expect(acceptedPayload(f.book.handle('update', lamp, '{"state":{"reported":{"on":true}}}')).version).toBe(1)
    expect(acceptedPayload(f.book.handle('get', lamp, undefined)).version).toBe(1)
    expect(acceptedPayload(f.book.handle('delete', lamp, undefined)).version).toBe(1)
    expect(rejection(f.book.handle('update', lamp, undefined)).payload.message).toBe('Invalid JSON')
  })
})
