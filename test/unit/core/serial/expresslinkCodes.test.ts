import { describe, expect, it } from 'vitest'
import { ExpressLinkCommandError, errorCodes, escapeAt, explainError, explainHint, parseEvent, unescapeAt } from '../../../../electron/core/serial/drivers/expresslink'

// The words behind ExpressLink's numbers (research §5, §10) and its escaping (§3).

describe('ExpressLink codes in words', () => {
  it('every error code of the spec (1–29) has its text and an explanation; unknown and vendor codes say so', () => {
    for (let code = 1; code <= 29; code++) {
      expect(errorCodes[code], `ERR${code}`).toBeDefined()
      expect(errorCodes[code].explanation.length, `ERR${code}`).toBeGreaterThan(20)
    }
    expect(explainError(1042).explanation).toBe("vendor-specific error 1042: see the module's datasheet")
    expect(explainError(77).explanation).toBe('error 77 is not in the ExpressLink specification')
  })

  it('CONNECT hints 1–6 in words; a vendor sub-step (5.1) is explained by its step', () => {
    expect(explainHint('5.1').text).toBe('MQTT LOGIN')
    expect(explainHint('9').explanation).toMatch(/hint 9 is not in the ExpressLink specification/)
    const error = new ExpressLinkCommandError('AT+CONNECT', 14, '5.1 UNABLE TO CONNECT MQTT device authentication failure')
    expect(error.hint).toBe('5.1')
    expect(error.message).toBe(
      'AT+CONNECT failed with ERR14 UNABLE TO CONNECT: the module could not connect to AWS IoT — hint 5.1 (MQTT LOGIN): AWS IoT refused the module: its certificate is not registered or not ACTIVE in this account, or no policy allows iot:Connect for its client id.'
    )
  })

  it('a module text that differs from the spec is quoted after the explanation', () => {
    expect(new ExpressLinkCommandError('AT+CONF? X', 11, 'Unknown key X').message).toMatch(/ERR11 UNKNOWN KEY: .* The module said: "Unknown key X"\.$/)
  })

  it('escaping round-trips CR, LF and backslashes in one pass; a literal backslash before A is not a newline', () => {
    const raw = 'line 1\nline 2\r\\A stays'
    expect(escapeAt(raw)).toBe('line 1\\Aline 2\\D\\\\A stays')
    expect(unescapeAt(escapeAt(raw))).toBe(raw)
    expect(unescapeAt('bad \\x')).toBeUndefined()
  })

  it('events parse with or without their mnemonic, keyed on the number', () => {
    expect(parseEvent('26 2')).toEqual({ id: 26, param: 2, text: '', meaning: 'the delta subscription of shadow 2 was accepted' })
    expect(parseEvent('1 0 MSG')).toMatchObject({ meaning: 'a message arrived on a topic not in the topic table' })
    expect(parseEvent('6 5 CONNECT')).toMatchObject({ meaning: 'the background connect failed at step 5' })
    expect(parseEvent('garbage')).toBeUndefined()
  })
})
