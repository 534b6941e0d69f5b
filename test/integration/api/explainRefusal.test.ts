import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApi, type TestApi } from '../../support/apiBackend'

// policies.explainRefusal against the Local IoT Core: TestAuthorization decides, the statements come
// from GetEffectivePolicies. Things are provisioned through the contract with the seed 'shadow' policy.
let t: TestApi

const denyOthers = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ConnectAsItself', Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}' },
    { Sid: 'AnyTopic', Effect: 'Allow', Action: ['iot:Subscribe'], Resource: 'arn:aws:iot:*:*:topicfilter/*' },
    { Sid: 'NoFactoryTopics', Effect: 'Deny', Action: 'iot:Subscribe', Resource: 'arn:aws:iot:*:*:topicfilter/factory/*' }
  ]
})

beforeAll(async () => {
  t = await startTestApi()
  for (const plan of [
    { thingName: 'refusal-lamp' },
    { thingName: 'refusal-other' },
    { thingName: 'refusal-denied', policy: { mode: 'document', policyName: 'refusal-deny-factory', document: denyOthers } }
  ]) {
    const outcome = await t.api.call('provisioning.run', { plan })
    if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
  }
}, 60_000)
afterAll(async () => {
  await t?.close()
})

describe('policies.explainRefusal', () => {
  it("names the seed 'shadow' policy for an implicit deny of another thing's shadow topic, with what it does allow", async () => {
    const explained = await t.api.call('policies.explainRefusal', { thingName: 'refusal-lamp', action: 'subscribe', resource: '$aws/things/refusal-other/shadow/#' })
    expect(explained.decision).toBe('IMPLICIT_DENY')
    expect(explained.clientId).toBe('refusal-lamp')
    expect(explained.resourceArn).toMatch(/^arn:aws:iot:[^:]+:\d{12}:topicfilter\/\$aws\/things\/refusal-other\/shadow\/#$/)
    expect(explained.policiesInForce).toHaveLength(1)
    const [policyName] = explained.policiesInForce
    expect(explained.summary).toContain(`policy ${policyName}`)
    expect(explained.summary).toContain('denied implicitly')
    expect(explained.decidingStatements).toEqual([])
    // The statement that allows subscribing to the thing's own shadow is shown, as written.
    expect(explained.nearMisses.length).toBeGreaterThan(0)
    expect(explained.nearMisses.some((s) => s.policyName === policyName && s.text.includes('${iot:Connection.Thing.ThingName}'))).toBe(true)
  })

  it('allows the same thing its own shadow topic', async () => {
    const explained = await t.api.call('policies.explainRefusal', { thingName: 'refusal-lamp', action: 'subscribe', resource: '$aws/things/refusal-lamp/shadow/update/accepted' })
    expect(explained.decision).toBe('ALLOWED')
    expect(explained.decidingStatements.length).toBeGreaterThan(0)
  })

  it('names the Deny statement, with its text, for an explicit deny', async () => {
    const explained = await t.api.call('policies.explainRefusal', { thingName: 'refusal-denied', action: 'subscribe', resource: 'factory/line-1' })
    expect(explained.decision).toBe('EXPLICIT_DENY')
    expect(explained.decidingStatements).toEqual([
      expect.objectContaining({ policyName: 'refusal-deny-factory', statementIndex: 2, sid: 'NoFactoryTopics', effect: 'Deny' })
    ])
    expect(JSON.parse(explained.decidingStatements[0]!.text)).toEqual({ Sid: 'NoFactoryTopics', Effect: 'Deny', Action: 'iot:Subscribe', Resource: 'arn:aws:iot:*:*:topicfilter/factory/*' })
    expect(explained.summary).toBe('Subscribing to factory/line-1 is denied explicitly by statement "NoFactoryTopics" of policy refusal-deny-factory')
  })

  it('explains a connect with another client id than the thing name', async () => {
    const explained = await t.api.call('policies.explainRefusal', { thingName: 'refusal-denied', clientId: 'not-the-thing', action: 'connect' })
    expect(explained.decision).toBe('IMPLICIT_DENY')
    expect(explained.resourceArn).toMatch(/:client\/not-the-thing$/)
    expect(explained.nearMisses.map((s) => s.sid)).toEqual(['ConnectAsItself'])
  })

  it("refuses a thing that does not exist with AWS's error name, and a publish without a topic", async () => {
    await expect(t.api.call('policies.explainRefusal', { thingName: 'no-such-thing', action: 'publish', resource: 'a/b' })).rejects.toMatchObject({ errorName: 'ResourceNotFoundException' })
    await expect(t.api.call('policies.explainRefusal', { thingName: 'refusal-lamp', action: 'publish' })).rejects.toThrow(/give the resource/)
  })
})

describe('mqtt.listRetained', () => {
  it('lists retained messages with their payloads', async () => {
    await t.api.call('mqtt.publish', { topic: 'retained/lamp/config', payload: '{"mode":"eco"}', retain: true, as: { operator: true } })
    await t.api.call('mqtt.publish', { topic: 'retained/lamp/blob', payload: Buffer.from([0xff, 0x00, 0x01]).toString('base64'), encoding: 'base64', retain: true, as: { operator: true } })
    const { messages } = await t.api.call('mqtt.listRetained', {})
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ topic: 'retained/lamp/config', payload: '{"mode":"eco"}', encoding: 'utf8', payloadSize: 14 }),
        expect.objectContaining({ topic: 'retained/lamp/blob', payload: '/wAB', encoding: 'base64', payloadSize: 3 })
      ])
    )
  })
})
