import { describe, expect, it } from 'vitest'
import { ShadowError } from '../../../../electron/sandbox/shadow'
import { acceptedPayload, fixture, lamp, lampConfig, rejection, START_S } from './bookFixture'

// research/iot-core.md §1.6 (versions, optimistic locking) and §1.1 (lifecycle: 404s, state null,
// delete and version continuity, shadows independent of the registry).

const HOUR = 60 * 60 * 1000

describe('versions and optimistic locking (iot-core.md §1.6)', () => {
  it('the first accepted update is version 1 and each one adds 1, including state null and state {}', () => {
    const f = fixture()
    expect(acceptedPayload(f.update(lamp, { state: { desired: { on: true } } })).version).toBe(1)
    expect(acceptedPayload(f.update(lamp, { state: null })).version).toBe(2)
    expect(acceptedPayload(f.update(lamp, { state: {} })).version).toBe(3)
    expect(f.document().version).toBe(3)
  })

  it('an update carrying the current version is accepted (stored v10 + request v10 → v11)', () => {
    const f = fixture()
    for (let i = 0; i < 10; i++) acceptedPayload(f.update(lamp, { state: { reported: { i } } }))
    expect(acceptedPayload(f.update(lamp, { state: { reported: { i: 'x' } }, version: 10 })).version).toBe(11)
  })

  it.each([[3], [1], [0]])('version %i against stored version 2 → 409 Version conflict, nothing changes', (version) => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { desired: { on: true } } }))
    acceptedPayload(f.update(lamp, { state: { desired: { on: false } } }))
    const before = f.document()
    const { payload, error } = rejection(f.update(lamp, { state: { desired: { on: true } }, version, clientToken: 'e678' }))
    // Real AWS capture: {"code":409,"message":"Version conflict","clientToken":"e678…"} (no timestamp).
    expect(payload).toEqual({ code: 409, message: 'Version conflict', clientToken: 'e678' })
    expect(error).toBeInstanceOf(ShadowError)
    expect([error.status, error.errorName]).toEqual([409, 'ConflictException'])
    expect(f.document()).toEqual(before)
  })

  it('an update without a version is not checked', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { desired: { on: true } } }))
    expect(acceptedPayload(f.update(lamp, { state: { desired: { on: false } } })).version).toBe(2)
  })

  it('a shadow that never existed is at version 0: version 0 creates it, any other is a conflict', () => {
    const f = fixture()
    expect(rejection(f.update(lamp, { state: { desired: { on: true } }, version: 3 })).error.code).toBe(409)
    expect(rejection(f.book.get(lamp)).error.code).toBe(404)
    expect(acceptedPayload(f.update(lamp, { state: { desired: { on: true } }, version: 0 })).version).toBe(1)
  })
})

describe('lifecycle (iot-core.md §1.1)', () => {
  it("get of a missing classic shadow → 404 naming the thing, without timestamp (AWS's capture)", () => {
    const { book } = fixture()
    const { payload, error } = rejection(book.get(lamp))
    expect(payload).toEqual({ code: 404, message: "No shadow exists with name: 'lamp-1'" })
    expect([error.status, error.errorName]).toEqual([404, 'ResourceNotFoundException'])
  })

  it('get or delete of a missing named shadow → 404 naming the shadow, echoing the clientToken', () => {
    const { book } = fixture()
    expect(rejection(book.get(lampConfig, '{"clientToken":"g-1"}')).payload).toEqual({
      code: 404,
      message: "No shadow exists with name: 'config'",
      clientToken: 'g-1'
    })
    expect(rejection(book.delete(lampConfig)).payload).toEqual({ code: 404, message: "No shadow exists with name: 'config'" })
  })

  it('an update creates the shadow for any thing name: no registry thing is needed (moto is wrong here)', () => {
    const { book, update } = fixture()
    expect(acceptedPayload(update({ thingName: 'never-registered' }, { state: { reported: { up: true } } })).version).toBe(1)
    expect(acceptedPayload(book.get({ thingName: 'never-registered' })).state).toEqual({ reported: { up: true } })
  })

  it('{"state": null} clears desired and reported, keeps the shadow, bumps the version (MOTO test_update_empty_state)', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { desired: { on: true }, reported: { on: false } } }))
    const accepted = acceptedPayload(f.update(lamp, { state: null, clientToken: 'clear' }))
    expect(accepted).toEqual({ state: null, metadata: { timestamp: START_S }, version: 2, timestamp: START_S, clientToken: 'clear' })
    expect(f.document()).toEqual({ state: {}, metadata: {}, version: 2, timestamp: START_S })
  })

  it('{"state": null} on a shadow that does not exist creates it at version 1', () => {
    const f = fixture()
    expect(acceptedPayload(f.update(lamp, { state: null })).version).toBe(1)
    expect(f.document()).toMatchObject({ state: {}, metadata: {}, version: 1 })
  })

  it('delete answers the deleted version, then the shadow is gone (get and delete → 404)', () => {
    const f = fixture()
    for (let i = 0; i < 3; i++) acceptedPayload(f.update(lamp, { state: { reported: { i } } }))
    expect(acceptedPayload(f.book.delete(lamp, '{"clientToken":"d-1"}'))).toEqual({ version: 3, timestamp: START_S, clientToken: 'd-1' })
    expect(rejection(f.book.get(lamp)).error.code).toBe(404)
    expect(rejection(f.book.delete(lamp)).error.code).toBe(404)
  })

  it('a shadow re-created within 48 h continues the version count; after 48 h it restarts at 1', () => {
    const f = fixture()
    for (let i = 0; i < 5; i++) acceptedPayload(f.update(lamp, { state: { reported: { i } } }))
    acceptedPayload(f.book.delete(lamp))
    f.advance(47 * HOUR)
    const recreated = acceptedPayload(f.update(lamp, { state: { reported: { back: true } } }))
    expect(recreated.version).toBe(6)
    // The re-created shadow starts from nothing: the old state is gone.
    expect(f.document().state).toEqual({ reported: { back: true } })

    acceptedPayload(f.book.delete(lamp))
    f.advance(48 * HOUR)
    expect(acceptedPayload(f.update(lamp, { state: { reported: { later: true } } })).version).toBe(1)
  })

  it('optimistic locking across a delete: the deleted version is the one to send', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { reported: { a: 1 } } }))
    acceptedPayload(f.update(lamp, { state: { reported: { a: 2 } } }))
    acceptedPayload(f.book.delete(lamp))
    expect(rejection(f.update(lamp, { state: { reported: { a: 3 } }, version: 0 })).error.code).toBe(409)
    expect(acceptedPayload(f.update(lamp, { state: { reported: { a: 3 } }, version: 2 })).version).toBe(3)
  })

  it('classic and named shadows of a thing are independent documents with their own versions', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { reported: { a: 1 } } }))
    acceptedPayload(f.update(lamp, { state: { reported: { a: 2 } } }))
    acceptedPayload(f.update(lampConfig, { state: { desired: { mode: 'eco' } } }))
    expect(f.document(lamp)).toMatchObject({ version: 2, state: { reported: { a: 2 } } })
    expect(f.document(lampConfig)).toMatchObject({ version: 1, state: { desired: { mode: 'eco' } } })
    acceptedPayload(f.book.delete(lampConfig))
    expect(f.document(lamp).version).toBe(2)
  })

  it('ListNamedShadowsForThing: existing named shadows, sorted; never the classic one; unknown thing → []', () => {
    const f = fixture()
    for (const key of [lamp, { thingName: 'lamp-1', shadowName: 'zeta' }, lampConfig, { thingName: 'lamp-1', shadowName: 'gone' }, { thingName: 'lamp-2', shadowName: 'other' }])
      acceptedPayload(f.update(key, { state: {} }))
    acceptedPayload(f.book.delete({ thingName: 'lamp-1', shadowName: 'gone' }))
    expect(f.book.listNamedShadows('lamp-1')).toEqual(['config', 'zeta'])
    expect(f.book.listNamedShadows('no-such-thing')).toEqual([])
  })
})
