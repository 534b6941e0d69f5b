import { describe, expect, it } from 'vitest'
import { acceptedPayload, fixture, lamp } from './bookFixture'

// research/iot-core.md §1.5: the delta of desired against reported, and its VERIFIED test vectors
// (MOTO test_delta_calculation, run against AWS).

function stateAfter(...updates: unknown[]) {
  const f = fixture()
  for (const body of updates) acceptedPayload(f.update(lamp, body))
  return f.document().state as { delta?: unknown }
}
const desired = (d: unknown) => ({ state: { desired: d } })
const reported = (r: unknown) => ({ state: { reported: r } })

describe('delta (iot-core.md §1.5, MOTO vectors verified against AWS)', () => {
  it.each([
    ['differing value', [desired({ online: true }), reported({ online: false })], { desired: { online: true }, reported: { online: false }, delta: { online: true } }],
    ['equal values: no delta key at all', [desired({ enabled: true }), reported({ online: false, enabled: true })], { desired: { enabled: true }, reported: { online: false, enabled: true } }],
    ['empty state then reported', [{ state: {} }, reported({ online: false })], { reported: { online: false } }],
    ['empty state then reported null', [{ state: {} }, reported({ online: null })], {}],
    ['empty desired then reported', [desired({}), reported({ online: false })], { reported: { online: false } }],
    ['desired, empty reported', [desired({ enabled: true }), reported({})], { desired: { enabled: true }, delta: { enabled: true } }],
    ['arrays compared whole', [reported({ list: ['v1', 'v2'] }), desired({ list: ['v1'] })], { reported: { list: ['v1', 'v2'] }, desired: { list: ['v1'] }, delta: { list: ['v1'] } }],
    ['arrays of arrays compared whole', [reported({ list: [['v1'], ['v2']] }), desired({ list: [['v1']] })], { reported: { list: [['v1'], ['v2']] }, desired: { list: [['v1']] }, delta: { list: [['v1']] } }],
    ['nested array', [reported({ a: { b: ['d'] } }), desired({ a: { b: ['c', 'd'] } })], { reported: { a: { b: ['d'] } }, desired: { a: { b: ['c', 'd'] } }, delta: { a: { b: ['c', 'd'] } } }],
    ['nested leaf with full path', [reported({ a: { b: { c: 'd', e: 'f' } } }), desired({ a: { b: { c: 'd2' } } })], { reported: { a: { b: { c: 'd', e: 'f' } } }, desired: { a: { b: { c: 'd2' } } }, delta: { a: { b: { c: 'd2' } } } }],
    ['equal subtree dropped, new one kept', [reported({ a1: { b1: { c: 'd' } } }), desired({ a1: { b1: { c: 'd' } }, a2: { b2: 'sth' } })], { reported: { a1: { b1: { c: 'd' } } }, desired: { a1: { b1: { c: 'd' } }, a2: { b2: 'sth' } }, delta: { a2: { b2: 'sth' } } }],
    ['new sibling under an equal one', [reported({ a: { b1: { c: 'd' } } }), desired({ a: { b1: { c: 'd' }, b2: 'sth' } })], { reported: { a: { b1: { c: 'd' } } }, desired: { a: { b1: { c: 'd' }, b2: 'sth' } }, delta: { a: { b2: 'sth' } } }]
  ])('%s', (_name, updates, expected) => {
    expect(stateAfter(...updates)).toEqual(expected)
  })

  it('keys only in reported never appear in the delta', () => {
    expect(stateAfter(desired({ a: 1 }), reported({ a: 2, b: 3 })).delta).toEqual({ a: 1 })
  })

  it('a change of type puts the whole desired value in the delta', () => {
    expect(stateAfter(reported({ mode: 'eco' }), desired({ mode: { level: 2 } })).delta).toEqual({ mode: { level: 2 } })
    expect(stateAfter(reported({ mode: { level: 2 } }), desired({ mode: [2] })).delta).toEqual({ mode: [2] })
  })

  it('equal arrays and equal objects in any key order give no delta', () => {
    expect(stateAfter(reported({ l: [1, { x: 1, y: 2 }] }), desired({ l: [1, { y: 2, x: 1 }] }))).not.toHaveProperty('delta')
  })

  it('a key deleted from reported but still desired comes back into the delta', () => {
    expect(stateAfter(desired({ on: true }), reported({ on: true }), reported({ on: null })).delta).toEqual({ on: true })
  })
})
