import { describe, expect, it } from 'vitest'
import { firstProblem, provisionPlanSchema, thingNameSchema } from '../../../electron/contract'

const problems = (input: unknown) => {
  const parsed = provisionPlanSchema.safeParse(input)
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('provision plan schema (AWS rules checked before any call)', () => {
  it('fills the defaults a technician expects: CSR with an EC key, the shadow policy template, a new thing only', () => {
    expect(provisionPlanSchema.parse({ thingName: 'lamp-1' })).toEqual({
      thingName: 'lamp-1',
      addCertificateToExistingThing: false,
      attributes: {},
      groups: [],
      certificate: { mode: 'csr', keyAlgorithm: 'ec' },
      policy: { mode: 'template', template: 'shadow' }
    })
  })

  it('explains what a thing name may contain', () => {
    expect(firstProblem(thingNameSchema, 'lamp 1')).toBe('Thing name may contain only letters, digits, ":", "_" and "-"')
    expect(firstProblem(thingNameSchema, '')).toBe('Thing name is required')
    expect(firstProblem(thingNameSchema, 'x'.repeat(129))).toBe('Thing name must be at most 128 characters')
    expect(firstProblem(thingNameSchema, 'lamp:1_a-b')).toBeNull()
  })

  it('allows 3 attributes without a thing type and says how to get more', () => {
    const attributes = { a: '1', b: '2', c: '3', d: '4' }
    expect(problems({ thingName: 't', attributes })).toEqual([
      'attributes: A thing without a type can have at most 3 attributes; give it a thing type to allow up to 50'
    ])
    expect(problems({ thingName: 't', thingTypeName: 'lamp', attributes })).toEqual([])
  })

  it('refuses attribute names and values outside AWS patterns', () => {
    expect(problems({ thingName: 't', attributes: { 'bad name': 'x' } }).join()).toMatch(/Attribute name may contain only/)
    expect(problems({ thingName: 't', attributes: { site: 'bench 3' } }).join()).toMatch(/Attribute value may contain only/)
  })

  it('refuses more than 10 groups and a group listed twice', () => {
    const groups = Array.from({ length: 11 }, (_, i) => `g${i}`)
    expect(problems({ thingName: 't', groups }).join()).toMatch(/at most 10 groups/)
    expect(problems({ thingName: 't', groups: ['a', 'a'] }).join()).toMatch(/listed twice/)
  })

  it('checks the policy name rules of each policy choice', () => {
    expect(problems({ thingName: 't', policy: { mode: 'existing', policyName: 'has space' } }).join()).toMatch(/Policy name may contain only/)
    expect(problems({ thingName: 't', policy: { mode: 'template', template: 'telemetry' } }).length).toBe(1)
  })
})
