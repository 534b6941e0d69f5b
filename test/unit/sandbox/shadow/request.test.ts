import { describe, expect, it } from 'vitest'
import { ShadowError } from '../../../../electron/sandbox/shadow'
import { acceptedPayload, fixture, lamp, rejection, START_S } from './bookFixture'

// research/iot-core.md §1.3 (update request validation) and §1.8 (limits): each bad request gets
// AWS's code and exact message, and changes nothing: the shadow stays at version 1 as it was.

function withShadowAtVersion1() {
  const f = fixture()
  acceptedPayload(f.update(lamp, { state: { desired: { on: true }, reported: { on: false } } }))
  const before = f.document()
  return {
    ...f,
    /** Sends a bad request; returns its rejection after checking that the shadow did not change. */
    refused(body: unknown) {
      const result = rejection(f.update(lamp, body))
      expect(f.document()).toEqual(before)
      expect(before.version).toBe(1)
      return result
    }
  }
}

/** A `desired`/`reported` object that is `levels` levels deep, itself included. */
const nested = (levels: number): unknown => (levels === 0 ? 1 : { n: nested(levels - 1) })

describe('update request validation (iot-core.md §1.3)', () => {
  it.each([
    ['malformed JSON', '{"state": {"desired": '],
    ['an empty payload', ''],
    ['a JSON array', '[{"state": {}}]'],
    ['a JSON string', '"state"'],
    ['JSON null', 'null']
  ])('%s → 400 Invalid JSON', (_what, body) => {
    const { refused } = withShadowAtVersion1()
    const { payload, error } = refused(body)
    expect(payload).toEqual({ code: 400, message: 'Invalid JSON', timestamp: START_S })
    expect(error).toBeInstanceOf(ShadowError)
    expect([error.status, error.errorName]).toEqual([400, 'InvalidRequestException'])
  })

  it('bytes that are not UTF-8 → 415 UnsupportedDocumentEncodingException (sic "documented")', () => {
    const { refused } = withShadowAtVersion1()
    const { payload, error } = refused(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]))
    expect(payload).toEqual({ code: 415, message: 'Unsupported documented encoding; supported encoding is UTF-8', timestamp: START_S })
    expect(error.errorName).toBe('UnsupportedDocumentEncodingException')
  })

  it('no state → 400 Missing required node: state, echoing the clientToken', () => {
    const { refused } = withShadowAtVersion1()
    expect(refused({ clientToken: 'c-1', desired: { on: false } }).payload).toEqual({
      code: 400,
      message: 'Missing required node: state',
      timestamp: START_S,
      clientToken: 'c-1'
    })
  })

  it.each([['"on"'], ['7'], ['true'], ['[{"desired": {}}]']])('state %s → 400 State node must be an object', (state) => {
    const { refused } = withShadowAtVersion1()
    expect(refused(`{"state": ${state}}`).payload).toMatchObject({ code: 400, message: 'State node must be an object' })
  })

  it('desired or reported that is not an object or null → 400 with the node named', () => {
    const { refused } = withShadowAtVersion1()
    expect(refused({ state: { desired: 'on' } }).payload).toMatchObject({ code: 400, message: 'Desired node must be an object' })
    expect(refused({ state: { desired: [true] } }).payload).toMatchObject({ code: 400, message: 'Desired node must be an object' })
    expect(refused({ state: { reported: 1 } }).payload).toMatchObject({ code: 400, message: 'Reported node must be an object' })
  })

  it("a delta (or any other node) inside state → 400 State contains an invalid node: '<key>'", () => {
    const { refused } = withShadowAtVersion1()
    expect(refused({ state: { desired: { on: false }, delta: { on: false } } }).payload).toMatchObject({
      code: 400,
      message: "State contains an invalid node: 'delta'"
    })
    expect(refused({ state: { wanted: {} } }).payload).toMatchObject({ message: "State contains an invalid node: 'wanted'" })
  })

  it('unknown top-level members are ignored (SDK v1 sends thingName in the body)', () => {
    const { update, document } = withShadowAtVersion1()
    const accepted = acceptedPayload(update(lamp, { state: { desired: { on: false } }, thingName: 'lamp-1', extra: [1] }))
    expect(accepted.version).toBe(2)
    expect(document().state).toEqual({ desired: { on: false }, reported: { on: false } })
  })

  it.each([['"1"'], ['1.5'], ['-1'], ['null'], ['true'], ['{}'], ['1e300']])('version %s → 400 Invalid version', (version) => {
    const { refused } = withShadowAtVersion1()
    expect(refused(`{"state": {"desired": {"on": false}}, "version": ${version}, "clientToken": "c-2"}`).payload).toEqual({
      code: 400,
      message: 'Invalid version',
      timestamp: START_S,
      clientToken: 'c-2'
    })
  })

  it('clientToken over 64 bytes, or not a string → 400 Invalid clientToken (not echoed)', () => {
    const { refused } = withShadowAtVersion1()
    expect(refused({ state: { desired: { on: false } }, clientToken: 'x'.repeat(65) }).payload).toEqual({
      code: 400,
      message: 'Invalid clientToken',
      timestamp: START_S
    })
    // 33 characters, 66 bytes: the limit is in bytes.
    expect(refused({ state: { desired: { on: false } }, clientToken: 'é'.repeat(33) }).payload).toMatchObject({ message: 'Invalid clientToken' })
    expect(refused({ state: { desired: { on: false } }, clientToken: 42 }).payload).toMatchObject({ message: 'Invalid clientToken' })
  })

  it('a clientToken of exactly 64 bytes is accepted and echoed', () => {
    const { update } = withShadowAtVersion1()
    const token = 'é'.repeat(32)
    expect(acceptedPayload(update(lamp, { state: { desired: { on: false } }, clientToken: token })).clientToken).toBe(token)
  })

  it('null inside an array → 400, the array is not stored', () => {
    const { refused } = withShadowAtVersion1()
    expect(refused({ state: { desired: { colors: [null, 'RED'] } } }).payload).toMatchObject({ code: 400 })
    expect(refused({ state: { reported: { a: [{ b: [null] }] } } }).payload).toMatchObject({ code: 400 })
  })
})

describe('nesting depth (iot-core.md §1.3, §1.8: desired/reported is level 1, maximum 6)', () => {
  it('accepts desired and reported with five levels of objects below them', () => {
    const { update } = withShadowAtVersion1()
    expect(acceptedPayload(update(lamp, { state: { desired: nested(6), reported: nested(6) } })).version).toBe(2)
  })

  it('refuses six levels below desired or reported', () => {
    const { refused } = withShadowAtVersion1()
    const tooDeep = { code: 400, message: 'JSON contains too many levels of nesting; maximum is 6', timestamp: START_S }
    expect(refused({ state: { desired: nested(7) } }).payload).toEqual(tooDeep)
    expect(refused({ state: { reported: nested(7) } }).payload).toEqual(tooDeep)
  })

  it('arrays count as a level (as in Greengrass ShadowManager)', () => {
    const { refused, update } = withShadowAtVersion1()
    expect(refused({ state: { desired: { a: { b: { c: { d: [[[1]]] } } } } } }).payload).toMatchObject({ code: 400 })
    expect(acceptedPayload(update(lamp, { state: { desired: { a: { b: { c: { d: [[1]] } } } } } })).version).toBe(2)
  })

  it('the depth limit is configurable (the current quota is UNCONFIRMED: 6 or 8)', () => {
    const { update } = fixture({ limits: { maxDepth: 8 } })
    expect(acceptedPayload(update(lamp, { state: { desired: nested(8) } })).version).toBe(1)
    expect(rejection(update(lamp, { state: { desired: nested(9) } })).payload.message).toBe(
      'JSON contains too many levels of nesting; maximum is 8'
    )
  })
})

describe('document size (iot-core.md §1.8: desired + reported after the merge, 8192 bytes)', () => {
  // {"k":"…"} is 8 bytes plus the string.
  const desiredOfBytes = (bytes: number) => ({ k: 'x'.repeat(bytes - 8) })

  it('accepts exactly 8192 bytes and refuses 8193 with 413', () => {
    const { update } = fixture()
    expect(acceptedPayload(update(lamp, { state: { desired: desiredOfBytes(8192) } })).version).toBe(1)
    const { payload, error } = rejection(update(lamp, { state: { desired: desiredOfBytes(8193) }, clientToken: 'big' }))
    expect(payload).toEqual({ code: 413, message: 'The payload exceeds the maximum size allowed', timestamp: START_S, clientToken: 'big' })
    expect(error.errorName).toBe('RequestEntityTooLargeException')
  })

  it('counts the merged document, not the request: a small update that makes it too big is refused', () => {
    const { update, document } = fixture()
    acceptedPayload(update(lamp, { state: { desired: { a: 'x'.repeat(5000) } } }))
    expect(rejection(update(lamp, { state: { reported: { b: 'y'.repeat(4000) } } })).error.code).toBe(413)
    expect(document()).toMatchObject({ version: 1, state: { desired: { a: 'x'.repeat(5000) } } })
  })

  it('counts the merged document, not the request: a large request that deletes keys is accepted', () => {
    const { update, document } = fixture()
    const keys = Array.from({ length: 400 }, (_, i) => `key-number-${i}`)
    acceptedPayload(update(lamp, { state: { desired: Object.fromEntries(keys.slice(0, 200).map((k) => [k, 1])) } }))
    const deleteAll = Object.fromEntries(keys.map((k) => [k, null]))
    expect(JSON.stringify({ state: { desired: deleteAll } }).length).toBeGreaterThan(8192)
    expect(acceptedPayload(update(lamp, { state: { desired: deleteAll } })).version).toBe(2)
    expect(document().state).toEqual({})
  })

  it('metadata does not count: 600 small keys whose metadata alone is over 8 KB are accepted', () => {
    const { update, document } = fixture()
    const desired = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${String(i).padStart(3, '0')}`, 1]))
    expect(acceptedPayload(update(lamp, { state: { desired } })).version).toBe(1)
    expect(JSON.stringify(document().metadata).length).toBeGreaterThan(8192)
  })

  it('each named shadow has its own 8 KB', () => {
    const { update } = fixture()
    acceptedPayload(update(lamp, { state: { desired: desiredOfBytes(8000) } }))
    expect(acceptedPayload(update({ thingName: 'lamp-1', shadowName: 'config' }, { state: { desired: desiredOfBytes(8000) } })).version).toBe(1)
  })
})
