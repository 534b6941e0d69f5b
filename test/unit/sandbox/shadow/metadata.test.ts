import { describe, expect, it } from 'vitest'
import { acceptedPayload, fixture, lamp, START_S } from './bookFixture'

// research/iot-core.md §1.2: metadata mirrors the state, every leaf → {"timestamp": <epoch seconds>}.

const at = (timestamp: number) => ({ timestamp })

describe('metadata (iot-core.md §1.2)', () => {
  it('gives every leaf an epoch-seconds timestamp, mirroring nested objects', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { desired: { color: 'red', light: { level: 3, on: true } }, reported: { color: 'blue' } } }))
    expect(f.document().metadata).toEqual({
      desired: { color: at(START_S), light: { level: at(START_S), on: at(START_S) } },
      reported: { color: at(START_S) }
    })
  })

  it('an array has one metadata entry per element, nested objects inside get nested metadata', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { reported: { colors: ['RED', 'GREEN'], rows: [{ r: 1 }, [2]] } } }))
    expect(f.document().metadata).toEqual({
      reported: { colors: [at(START_S), at(START_S)], rows: [{ r: at(START_S) }, [at(START_S)]] }
    })
  })

  it('accumulates: keys not in an update keep their timestamps (getmoto/moto#3849, verified on AWS)', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { reported: { new_state: 1, nested: { a: 1, b: 1 } } } }))
    f.advance(5_000)
    acceptedPayload(f.update(lamp, { state: { reported: { next_state: 2, nested: { b: 2 } } } }))
    expect(f.document().metadata).toEqual({
      reported: { new_state: at(START_S), nested: { a: at(START_S), b: at(START_S + 5) }, next_state: at(START_S + 5) }
    })
  })

  it('a deleted key loses its metadata; a deleted section loses its section', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { desired: { a: 1, b: { c: 1, d: 1 } }, reported: { a: 1 } } }))
    acceptedPayload(f.update(lamp, { state: { desired: { a: null, b: { c: null } }, reported: null } }))
    expect(f.document().metadata).toEqual({ desired: { b: { d: at(START_S) } } })
  })

  it('a replaced array or a changed type gets fresh metadata of the new shape', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { desired: { list: [1, 2, 3], mode: 'eco' } } }))
    f.advance(2_000)
    acceptedPayload(f.update(lamp, { state: { desired: { list: [9], mode: { level: 2 } } } }))
    expect(f.document().metadata).toEqual({ desired: { list: [at(START_S + 2)], mode: { level: at(START_S + 2) } } })
  })

  it('GetThingShadow metadata has desired and reported only, never delta', () => {
    const f = fixture()
    acceptedPayload(f.update(lamp, { state: { desired: { on: true } } }))
    const document = f.document()
    expect(document.state).toHaveProperty('delta')
    expect(Object.keys(document.metadata as object)).toEqual(['desired'])
  })

  it('uses the injected clock, rounded down to seconds', () => {
    const f = fixture()
    f.advance(999)
    const accepted = acceptedPayload(f.update(lamp, { state: { desired: { on: true } } }))
    expect(accepted.timestamp).toBe(START_S + 1)
    expect(accepted.metadata).toEqual({ desired: { on: at(START_S + 1) } })
  })
})
