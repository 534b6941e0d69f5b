import { describe, expect, it } from 'vitest'
import { checkShadowKey, ShadowError } from '../../../../electron/sandbox/shadow'
import { IotError } from '../../../../electron/sandbox/http/iotError'
import { fixture, rejection } from './bookFixture'

// research/iot-core.md §1.8: thing name 1–128 of [a-zA-Z0-9:_-], shadow name 1–64 of [$a-zA-Z0-9:_-].

describe('names the shadow service accepts (iot-core.md §1.8)', () => {
  it('accepts classic and named shadows with valid names', () => {
    expect(checkShadowKey({ thingName: 'a:b_c-D9' })).toBeUndefined()
    expect(checkShadowKey({ thingName: 't'.repeat(128), shadowName: 's'.repeat(64) })).toBeUndefined()
    expect(checkShadowKey({ thingName: 'lamp-1', shadowName: '$package' })).toBeUndefined()
  })

  it("refuses a bad thing name with InvalidRequestException in AWS's validation wording", () => {
    const error = checkShadowKey({ thingName: 'lamp 1' })
    expect(error).toBeInstanceOf(ShadowError)
    expect(error).toBeInstanceOf(IotError)
    expect(error?.status).toBe(400)
    expect(error?.errorName).toBe('InvalidRequestException')
    expect(error?.message).toBe(
      "1 validation error detected: Value 'lamp 1' at 'thingName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9:_-]+"
    )
  })

  it('refuses names that are too long or empty, counting every violation', () => {
    expect(checkShadowKey({ thingName: 'lamp-1', shadowName: 's'.repeat(65) })?.message).toBe(
      `1 validation error detected: Value '${'s'.repeat(65)}' at 'shadowName' failed to satisfy constraint: Member must have length less than or equal to 64`
    )
    expect(checkShadowKey({ thingName: 't'.repeat(129) })?.message).toContain('Member must have length less than or equal to 128')
    expect(checkShadowKey({ thingName: 'lamp-1', shadowName: '' })?.message).toContain('Member must have length greater than or equal to 1')
    expect(checkShadowKey({ thingName: 'a/b', shadowName: 'c d' })?.message).toMatch(/^2 validation errors detected: /)
  })

  it('an operation on a badly named shadow is rejected and creates nothing', () => {
    const { book, update } = fixture()
    const { payload, error } = rejection(update({ thingName: 'lamp 1' }, { state: { desired: { on: true } } }))
    expect(error.code).toBe(400)
    expect(payload).toMatchObject({ code: 400, message: expect.stringContaining("at 'thingName'") })
    expect(rejection(book.get({ thingName: 'lamp 1' })).error.code).toBe(400)
    expect(() => book.listNamedShadows('lamp 1')).toThrow(ShadowError)
  })
})
