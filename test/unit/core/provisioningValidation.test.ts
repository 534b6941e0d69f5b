import { describe, expect, it } from 'vitest'
import { policyDocumentProblem, samePolicyDocument, validatePlan } from '../../../electron/core/provisioning'
import { makeDeviceCertificate } from '../../integration/provisioning/support/deviceCertificate'

describe('validatePlan', () => {
  it('accepts a minimal plan and fills in the defaults (CSR with an EC key, shadow template policy)', () => {
    const result = validatePlan({ thingName: 'lamp-1' })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.plan.certificate).toEqual({ mode: 'csr', keyAlgorithm: 'ec' })
    expect(result.plan.policy).toEqual({ mode: 'template', template: 'shadow' })
    expect(result.plan.groups).toEqual([])
  })

  it('names the field and the rule for a thing name AWS would refuse', () => {
    const result = validatePlan({ thingName: 'lamp 1' })
    expect(result).toEqual({ ok: false, problems: [{ path: 'thingName', message: expect.stringContaining('may contain only') }] })
  })

  it('refuses a fourth attribute on a thing without a type and says a type allows 50', () => {
    const result = validatePlan({ thingName: 'lamp-1', attributes: { a: '1', b: '2', c: '3', d: '4' } })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.problems[0]).toMatchObject({ path: 'attributes', message: expect.stringContaining('up to 50') })
    expect(validatePlan({ thingName: 'lamp-1', thingTypeName: 'Lamp', attributes: { a: '1', b: '2', c: '3', d: '4' } }).ok).toBe(true)
  })

  it('refuses a group listed twice and more than 10 groups', () => {
    const twice = validatePlan({ thingName: 'lamp-1', groups: ['line-1', 'line-1'] })
    expect(twice.ok === false && twice.problems.map((p) => p.message)).toContain('A group is listed twice')
    const many = validatePlan({ thingName: 'lamp-1', groups: Array.from({ length: 11 }, (_, i) => `g${i}`) })
    expect(many.ok === false && many.problems[0]?.message).toMatch(/at most 10 groups/)
  })

  it('reports a broken policy document with its line and column', () => {
    const document = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    { "Effect": "Allow", }\n  ]\n}'
    const result = validatePlan({ thingName: 'lamp-1', policy: { mode: 'document', policyName: 'p', document } })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.problems).toEqual([{ path: 'policy.document', message: expect.stringMatching(/not valid JSON.*line 4, column 26/) }])
  })

  it('refuses a policy document over 2048 characters not counting white space, and counts only those', () => {
    const statement = { Effect: 'Allow', Action: 'iot:Publish', Resource: `arn:aws:iot:eu-west-1:123456789012:topic/${'x'.repeat(2000)}` }
    const long = JSON.stringify({ Version: '2012-10-17', Statement: [statement] })
    expect(policyDocumentProblem(long)).toMatch(/at most 2048/)
    const justUnder = { ...statement, Resource: `arn:aws:iot:eu-west-1:123456789012:topic/${'x'.repeat(1900)}` }
    const spaced = JSON.stringify({ Version: '2012-10-17', Statement: [justUnder] }, null, 10) + ' \n'.repeat(300)
    expect(spaced.length).toBeGreaterThan(2048)
    expect(policyDocumentProblem(spaced)).toBeNull()
  })

  it('refuses a plan whose policy breaks the grammar (Effect "Perhaps"), before any call', () => {
    const document = '{"Version":"2012-10-17","Statement":[{"Effect":"Perhaps","Action":"iot:Connect","Resource":"*"}]}'
    const result = validatePlan({ thingName: 'lamp-1', policy: { mode: 'document', policyName: 'p', document } })
    expect(result.ok === false && result.problems).toEqual([
      { path: 'policy.document', message: 'AWS would refuse the policy document (MalformedPolicyException): Statement 1: Effect must be "Allow" or "Deny", not "Perhaps".' }
    ])
  })

  it('refuses a policy document without a Statement', () => {
    expect(policyDocumentProblem('{"Version":"2012-10-17"}')).toMatch(/no "Statement"/)
    expect(policyDocumentProblem('[]')).toMatch(/must be a JSON object/)
  })

  it('treats documents that differ only in key order and white space as the same', () => {
    expect(samePolicyDocument('{"a":1,"b":[1,2]}', '{ "b": [1, 2],\n "a": 1 }')).toBe(true)
    expect(samePolicyDocument('{"a":1}', '{"a":2}')).toBe(false)
  })

  it('refuses an existing certificate that is not a certificate, or has expired', async () => {
    const garbage = validatePlan({ thingName: 'lamp-1', certificate: { mode: 'existing', certificatePem: 'hello' } })
    expect(garbage.ok === false && garbage.problems[0]).toMatchObject({ path: 'certificate.certificatePem', message: expect.stringMatching(/could not be read/) })

    const expiredPem = await makeDeviceCertificate({ notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') })
    const expired = validatePlan({ thingName: 'lamp-1', certificate: { mode: 'existing', certificatePem: expiredPem } })
    expect(expired.ok === false && expired.problems[0]?.message).toMatch(/expired on 2021-01-01.*CertificateValidationException/)

    const validPem = await makeDeviceCertificate()
    expect(validatePlan({ thingName: 'lamp-1', certificate: { mode: 'existing', certificatePem: validPem } }).ok).toBe(true)
  })
})
