import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  GetEffectivePoliciesCommand,
  TestAuthorizationCommand,
  type AuthInfo
} from '@aws-sdk/client-iot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderPolicyTemplate } from '../../../electron/core/policies/templates'
import { AWS_CLI_INSTALL_HINT, findAwsClis, sandboxCliEnv } from '../../support/awsClis'
import { refusal } from '../../support/refusal'
import { skippedOffCi } from '../../support/neededTool'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'

// TestAuthorization and GetEffectivePolicies with the real @aws-sdk/client-iot and the AWS CLI
// against a Local IoT Core: a thing provisioned the way ThingBench does it (certificate, the seed
// 'shadow' policy, thing principal, groups), then asked what it may do.

const run = promisify(execFile)

describe('TestAuthorization and GetEffectivePolicies', () => {
  let sandbox: TestSandbox
  let certificateArn: string
  let certificateId: string
  const arn = (resource: string): string => `arn:aws:iot:${sandbox.core.region}:${sandbox.core.accountId}:${resource}`
  const policyRef = (name: string) => ({ policyName: name, policyArn: arn(`policy/${name}`) })
  const allow = (action: string, resource: string): string =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] })

  beforeAll(async () => {
    sandbox = await startTestSandbox()
    const { iot } = sandbox
    await iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp' }))
    await iot.send(new CreateThingCommand({ thingName: 'lamp-1', thingTypeName: 'lamp', attributePayload: { attributes: { site: 'bench-3' } } }))
    const certificate = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }))
    certificateArn = certificate.certificateArn!
    certificateId = certificate.certificateId!
    const shadow = renderPolicyTemplate('shadow', { region: sandbox.core.region, accountId: sandbox.core.accountId })
    await iot.send(new CreatePolicyCommand({ policyName: 'lamp-shadow', policyDocument: shadow }))
    await iot.send(new AttachPolicyCommand({ policyName: 'lamp-shadow', target: certificateArn }))
    await iot.send(new AttachThingPrincipalCommand({ thingName: 'lamp-1', principal: certificateArn }))

    // factory > line-1, lamp-1 in line-1; the factory allows telemetry but denies one topic.
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'factory' }))
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-1', parentGroupName: 'factory' }))
    await iot.send(new AddThingToThingGroupCommand({ thingGroupName: 'line-1', thingName: 'lamp-1' }))
    await iot.send(new CreatePolicyCommand({ policyName: 'telemetry', policyDocument: allow('iot:Publish', arn('topic/telemetry/*')) }))
    await iot.send(
      new CreatePolicyCommand({
        policyName: 'no-firmware',
        policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iot:Publish', Resource: arn('topic/telemetry/firmware') }] })
      })
    )
    await iot.send(new AttachPolicyCommand({ policyName: 'telemetry', target: arn('thinggroup/factory') }))
    await iot.send(new AttachPolicyCommand({ policyName: 'no-firmware', target: arn('thinggroup/factory') }))
    // A second version that would allow everything, not made the default.
    await iot.send(new CreatePolicyVersionCommand({ policyName: 'telemetry', policyDocument: allow('iot:*', '*'), setAsDefault: false }))
    await iot.send(new CreatePolicyCommand({ policyName: 'spare', policyDocument: allow('iot:Publish', arn('topic/spare')) }))
  })
  afterAll(async () => {
    await sandbox?.stop()
  })

  const test = (authInfos: AuthInfo[], extra: Partial<ConstructorParameters<typeof TestAuthorizationCommand>[0]> = {}) =>
    sandbox.iot.send(new TestAuthorizationCommand({ principal: certificateArn, clientId: 'lamp-1', authInfos, ...extra }))

  it('allows the thing its own connection and shadow, and refuses another thing’s shadow', async () => {
    const { authResults } = await test([
      { actionType: 'CONNECT', resources: [arn('client/lamp-1')] },
      { actionType: 'PUBLISH', resources: [arn('topic/$aws/things/lamp-1/shadow/update')] },
      { actionType: 'SUBSCRIBE', resources: [arn('topicfilter/$aws/things/lamp-1/shadow/update/delta')] },
      { actionType: 'RECEIVE', resources: [arn('topic/$aws/things/lamp-1/shadow/update/delta')] },
      { actionType: 'PUBLISH', resources: [arn('topic/$aws/things/lamp-2/shadow/update')] }
    ])
    expect(authResults!.map((r) => r.authDecision)).toEqual(['ALLOWED', 'ALLOWED', 'ALLOWED', 'ALLOWED', 'IMPLICIT_DENY'])
    expect(authResults![0]).toMatchObject({
      authInfo: { actionType: 'CONNECT', resources: [arn('client/lamp-1')] },
      allowed: { policies: [policyRef('lamp-shadow')] },
      denied: { explicitDeny: { policies: [] } },
      missingContextValues: []
    })
    expect(authResults![4]).toMatchObject({
      allowed: { policies: [] },
      denied: { implicitDeny: { policies: [policyRef('lamp-shadow'), policyRef('telemetry'), policyRef('no-firmware')] }, explicitDeny: { policies: [] } }
    })
  })

  it('refuses a wrong client id, saying the thing name had no value', async () => {
    const { authResults } = await test([{ actionType: 'CONNECT', resources: [arn('client/intruder')] }], { clientId: 'intruder' })
    expect(authResults![0]).toMatchObject({ authDecision: 'IMPLICIT_DENY', missingContextValues: ['iot:Connection.Thing.ThingName'] })
  })

  it("applies the thing's group and ancestor policies, default versions only, with the ancestor's Deny winning", async () => {
    const { authResults } = await test([
      { actionType: 'PUBLISH', resources: [arn('topic/telemetry/power')] },
      { actionType: 'PUBLISH', resources: [arn('topic/telemetry/firmware')] },
      { actionType: 'PUBLISH', resources: [arn('topic/anything')] }
    ])
    expect(authResults![0]).toMatchObject({ authDecision: 'ALLOWED', allowed: { policies: [policyRef('telemetry')] } })
    expect(authResults![1]).toMatchObject({
      authDecision: 'EXPLICIT_DENY',
      allowed: { policies: [policyRef('telemetry')] },
      denied: { explicitDeny: { policies: [policyRef('no-firmware')] } }
    })
    expect(authResults![2]!.authDecision).toBe('IMPLICIT_DENY')
  })

  it('adds and skips policies by name, and accepts the bare certificate id as principal', async () => {
    const spare = { actionType: 'PUBLISH' as const, resources: [arn('topic/spare')] }
    expect((await test([spare])).authResults![0]!.authDecision).toBe('IMPLICIT_DENY')
    expect((await test([spare], { policyNamesToAdd: ['spare'] })).authResults![0]).toMatchObject({
      authDecision: 'ALLOWED',
      allowed: { policies: [policyRef('spare')] }
    })
    const firmware = { actionType: 'PUBLISH' as const, resources: [arn('topic/telemetry/firmware')] }
    expect((await test([firmware], { policyNamesToSkip: ['no-firmware'] })).authResults![0]!.authDecision).toBe('ALLOWED')
    expect((await test([firmware], { principal: certificateId })).authResults![0]!.authDecision).toBe('EXPLICIT_DENY')
    // A thing group as principal: its own and its ancestors' policies.
    const power = { actionType: 'PUBLISH' as const, resources: [arn('topic/telemetry/power')] }
    expect((await test([power], { principal: arn('thinggroup/line-1') })).authResults![0]).toMatchObject({
      authDecision: 'ALLOWED',
      allowed: { policies: [policyRef('telemetry')] }
    })
  })

  it('refuses bad requests with AWS’s exception names and a message that says what to do', async () => {
    const connect: AuthInfo = { actionType: 'CONNECT', resources: [arn('client/lamp-1')] }
    const cognito = await refusal(test([connect], { cognitoIdentityPoolId: 'us-east-1:0f1e2d3c-aaaa-bbbb-cccc-000000000000' }))
    expect(cognito).toMatchObject({ name: 'InvalidRequestException', status: 400 })
    expect(cognito.message).toMatch(/Cognito/)
    const cognitoPrincipal = await refusal(test([connect], { principal: 'us-east-1:0f1e2d3c-aaaa-bbbb-cccc-000000000000' }))
    expect(cognitoPrincipal).toMatchObject({ name: 'InvalidRequestException', message: expect.stringMatching(/certificate ARN/) })
    const unknown = await refusal(test([connect], { principal: arn(`cert/${'0'.repeat(64)}`) }))
    expect(unknown).toMatchObject({ name: 'ResourceNotFoundException', status: 404 })
    const notArn = await refusal(test([{ actionType: 'PUBLISH', resources: ['telemetry/power'] }]))
    expect(notArn).toMatchObject({ name: 'InvalidRequestException', message: expect.stringMatching(/not an ARN.*arn:aws:iot:/) })
    const tooMany = await refusal(test(Array.from({ length: 11 }, () => connect)))
    expect(tooMany).toMatchObject({ name: 'InvalidRequestException', message: expect.stringMatching(/authInfos.*less than or equal to 10/) })
    const badAction = await refusal(test([{ actionType: 'SHOUT' as AuthInfo['actionType'], resources: [arn('topic/x')] }]))
    expect(badAction).toMatchObject({ name: 'InvalidRequestException', message: expect.stringMatching(/enum value set: \[PUBLISH, SUBSCRIBE, RECEIVE, CONNECT\]/) })
    const missingPolicy = await refusal(test([connect], { policyNamesToAdd: ['no-such-policy'] }))
    expect(missingPolicy).toMatchObject({ name: 'ResourceNotFoundException' })
  })

  it('lists the effective policies of the certificate and its thing, with their default documents', async () => {
    const { effectivePolicies } = await sandbox.iot.send(new GetEffectivePoliciesCommand({ principal: certificateArn, thingName: 'lamp-1' }))
    expect(effectivePolicies!.map((p) => p.policyName)).toEqual(['lamp-shadow', 'telemetry', 'no-firmware'])
    expect(effectivePolicies![1]).toEqual({ ...policyRef('telemetry'), policyDocument: allow('iot:Publish', arn('topic/telemetry/*')) })
    const certificateOnly = await sandbox.iot.send(new GetEffectivePoliciesCommand({ principal: certificateArn }))
    expect(certificateOnly.effectivePolicies!.map((p) => p.policyName)).toEqual(['lamp-shadow'])
    const thingOnly = await sandbox.iot.send(new GetEffectivePoliciesCommand({ thingName: 'lamp-1' }))
    expect(thingOnly.effectivePolicies!.map((p) => p.policyName)).toEqual(['telemetry', 'no-firmware'])
    expect(await refusal(sandbox.iot.send(new GetEffectivePoliciesCommand({ principal: certificateArn, thingName: 'ghost' })))).toMatchObject({
      name: 'ResourceNotFoundException'
    })
    expect(await refusal(sandbox.iot.send(new GetEffectivePoliciesCommand({})))).toMatchObject({ name: 'InvalidRequestException' })
  })

  const cli = findAwsClis()[0]
  it.skipIf(skippedOffCi(cli !== undefined))(`answers \`aws iot test-authorization\` (${cli?.label ?? 'no AWS CLI found'})`, async () => {
    if (!cli) expect.fail(`No AWS CLI found: ${AWS_CLI_INSTALL_HINT}.`)
    const home = fs.mkdtempSync(path.join(sandbox.dataDir, 'home-'))
    const env = sandboxCliEnv(home, sandbox.core)
    const authInfos = [
      { actionType: 'CONNECT', resources: [arn('client/lamp-1')] },
      { actionType: 'SUBSCRIBE', resources: [arn('topicfilter/$aws/things/lamp-2/shadow/#')] }
    ]
    const { stdout } = await run(
      cli!.path,
      [
        'iot',
        'test-authorization',
        '--principal',
        certificateArn,
        '--client-id',
        'lamp-1',
        '--auth-infos',
        JSON.stringify(authInfos),
        '--endpoint-url',
        sandbox.core.controlPlaneUrl,
        '--output',
        'json'
      ],
      { env }
    )
    const printed = JSON.parse(stdout) as { authResults: Array<{ authDecision: string; allowed: { policies: unknown[] } }> }
    expect(printed.authResults.map((r) => r.authDecision)).toEqual(['ALLOWED', 'IMPLICIT_DENY'])
    expect(printed.authResults[0]!.allowed.policies).toEqual([policyRef('lamp-shadow')])
  })
})
