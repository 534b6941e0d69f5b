import { describe, expect, it } from 'vitest'
import { acceptedPayload, fixture, lamp } from './bookFixture'

// research/iot-core.md §1.4 (merge, applied to desired and reported separately) and §7.3.

function shadowAfter(...updates: unknown[]) {
  const f = fixture()
  for (const body of updates) acceptedPayload(f.update(lamp, body))
  return f.document()
}

describe('merge (iot-core.md §1.4)', () => {
  it('a scalar replaces the stored value; other keys stay', () => {
    expect(shadowAfter({ state: { reported: { color: 'red', on: true } } }, { state: { reported: { color: 'blue' } } }).state).toEqual({
      reported: { color: 'blue', on: true }
    })
  })

  it('arrays are replaced whole, never merged', () => {
    expect(shadowAfter({ state: { reported: { list: [1, 2, 3] } } }, { state: { reported: { list: [4] } } }).state).toEqual({
      reported: { list: [4] }
    })
    expect(
      shadowAfter({ state: { reported: { rows: [{ a: 1, b: 2 }] } } }, { state: { reported: { rows: [{ a: 5 }] } } }).state
    ).toEqual({ reported: { rows: [{ a: 5 }] } })
  })

  it('an object merges into a stored object, recursively', () => {
    expect(
      shadowAfter({ state: { reported: { a: { b: 1, c: { x: 1, y: 2 } } } } }, { state: { reported: { a: { c: { y: 3, z: 4 }, d: 5 } } } })
        .state
    ).toEqual({ reported: { a: { b: 1, c: { x: 1, y: 3, z: 4 }, d: 5 } } })
  })

  it('a change of type replaces the value (object ↔ scalar ↔ array)', () => {
    expect(shadowAfter({ state: { reported: { a: { b: 1 } } } }, { state: { reported: { a: 7 } } }).state).toEqual({ reported: { a: 7 } })
    expect(shadowAfter({ state: { reported: { a: 7 } } }, { state: { reported: { a: { b: 1 } } } }).state).toEqual({ reported: { a: { b: 1 } } })
    expect(shadowAfter({ state: { reported: { a: [1] } } }, { state: { reported: { a: { b: 1 } } } }).state).toEqual({ reported: { a: { b: 1 } } })
  })

  it('null deletes a key at any depth; deleting a missing key does nothing but is accepted', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { reported: { a: { b: 1, c: 2 }, d: 3 } } }))
    acceptedPayload(f.update(lamp, { state: { reported: { a: { b: null }, d: null } } }))
    expect(f.document().state).toEqual({ reported: { a: { c: 2 } } })
    expect(acceptedPayload(f.update(lamp, { state: { reported: { nothing: null } } })).version).toBe(3)
    expect(f.document().state).toEqual({ reported: { a: { c: 2 } } })
  })

  it('a section whose last key is deleted disappears', () => {
    expect(shadowAfter({ state: { desired: { on: true }, reported: { on: true } } }, { state: { desired: { on: null } } }).state).toEqual({
      reported: { on: true }
    })
  })

  it('"desired": null removes the whole section', () => {
    expect(shadowAfter({ state: { desired: { a: 1, b: 2 }, reported: { a: 1 } } }, { state: { desired: null } }).state).toEqual({
      reported: { a: 1 }
    })
  })

  it('"desired": {} on a fresh shadow stores nothing', () => {
    expect(shadowAfter({ state: { desired: {} } }).state).toEqual({})
  })

  it('nested empty objects are stored as they are and returned (MOTO test_update_desired, aws_verified)', () => {
    expect(shadowAfter({ state: { desired: { d: {}, b: { c: {} } } } }).state).toEqual({
      desired: { d: {}, b: { c: {} } },
      delta: { d: {}, b: { c: {} } }
    })
  })

  it('an object emptied by deleting its keys stays as an empty object', () => {
    expect(shadowAfter({ state: { reported: { a: { b: 1 }, z: 1 } } }, { state: { reported: { a: { b: null } } } }).state).toEqual({
      reported: { a: {}, z: 1 }
    })
  })

  it('nulls inside a new object are not stored; an object of only nulls adds nothing', () => {
    expect(shadowAfter({ state: { reported: { z: 1 } } }, { state: { reported: { a: { b: null, c: 1 }, e: { f: null } } } }).state).toEqual({
      reported: { z: 1, a: { c: 1 } }
    })
  })

  it('an update that changes nothing is still accepted and bumps the version', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { desired: { on: true } } }))
    expect(acceptedPayload(f.update(lamp, { state: { desired: { on: true } } })).version).toBe(2)
    expect(acceptedPayload(f.update(lamp, { state: {} })).version).toBe(3)
    expect(f.document()).toMatchObject({ state: { desired: { on: true } }, version: 3 })
  })

  it('{"state": {}} creates a shadow with an empty state at version 1', () => {
    expect(shadowAfter({ state: {} })).toMatchObject({ state: {}, metadata: {}, version: 1 })
  })

  it('a "__proto__" key is data like any other and changes no prototype', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, '{"state": {"desired": {"__proto__": {"polluted": true}, "ok": 1}}}'))
    const desired = (f.document().state as Record<string, unknown>).desired as object
    expect(Object.getPrototypeOf(desired)).toBe(Object.prototype)
    expect(JSON.stringify(desired)).toBe('{"__proto__":{"polluted":true},"ok":1}')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    acceptedPayload(f.update(lamp, '{"state": {"desired": {"__proto__": null}}}'))
    expect(f.document().state).toEqual({ desired: { ok: 1 }, delta: { ok: 1 } })
  })
})
