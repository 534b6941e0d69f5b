import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  ListAttachedPoliciesCommand,
  ListPrincipalThingsCommand,
  ListTargetsForPolicyCommand,
  ListThingPrincipalsCommand
} from '@aws-sdk/client-iot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'
import { refusal } from '../../support/refusal'


const policyDocument = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] })

describe('policy attachments', () => {
  let sandbox: TestSandbox
  let certificateArn: string
  beforeAll(async () => {
    sandbox = await startTestSandbox()
    certificateArn = (await sandbox.iot.send(new CreateKeysAndCertificateCommand({}))).certificateArn!
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9', 'p10', 'p11'])
      await sandbox.iot.send(new CreatePolicyCommand({ policyName: name, policyDocument }))
  })
  afterAll(async () => {
    await sandbox.stop()
  })

  it('attaches a policy to a certificate once, however often it is attached, and detaches it', async () => {
    await sandbox.iot.send(new AttachPolicyCommand({ policyName: 'p1', target: certificateArn }))
    await sandbox.iot.send(new AttachPolicyCommand({ policyName: 'p1', target: certificateArn }))
    const attached = await sandbox.iot.send(new ListAttachedPoliciesCommand({ target: certificateArn }))
    expect(attached.policies).toEqual([{ policyName: 'p1', policyArn: `arn:aws:iot:us-east-1:${sandbox.core.accountId}:policy/p1` }])
    expect((await sandbox.iot.send(new ListTargetsForPolicyCommand({ policyName: 'p1' }))).targets).toEqual([certificateArn])
    await sandbox.iot.send(new DetachPolicyCommand({ policyName: 'p1', target: certificateArn }))
    expect((await sandbox.iot.send(new ListAttachedPoliciesCommand({ target: certificateArn }))).policies).toEqual([])
  })

  it('refuses an unknown policy or target with ResourceNotFoundException and a non-ARN target with InvalidRequestException', async () => {
    expect(await refusal(sandbox.iot.send(new AttachPolicyCommand({ policyName: 'nope', target: certificateArn })))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404
    })
    const unknownCertificate = certificateArn.replace(/cert\/.*/, `cert/${'0'.repeat(64)}`)
    expect(await refusal(sandbox.iot.send(new AttachPolicyCommand({ policyName: 'p1', target: unknownCertificate })))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404
    })
    const unknownGroup = `arn:aws:iot:us-east-1:${sandbox.core.accountId}:thinggroup/ghosts`
    expect(await refusal(sandbox.iot.send(new AttachPolicyCommand({ policyName: 'p1', target: unknownGroup })))).toMatchObject({
      name: 'ResourceNotFoundException'
    })
    const notArn = await refusal(sandbox.iot.send(new AttachPolicyCommand({ policyName: 'p1', target: 'my-certificate' })))
    expect(notArn).toMatchObject({ name: 'InvalidRequestException', status: 400 })
    expect(notArn.message).toContain('my-certificate')
  })

  it('allows ten policies on a target and refuses the eleventh with LimitExceededException (410)', async () => {
    const { certificateArn: target } = await sandbox.iot.send(new CreateKeysAndCertificateCommand({}))
    for (let i = 1; i <= 10; i++) await sandbox.iot.send(new AttachPolicyCommand({ policyName: `p${i}`, target }))
    // Re-attaching one that is already there is not an eleventh.
    await sandbox.iot.send(new AttachPolicyCommand({ policyName: 'p3', target }))
    expect(await refusal(sandbox.iot.send(new AttachPolicyCommand({ policyName: 'p11', target })))).toMatchObject({
      name: 'LimitExceededException',
      status: 410
    })
    const attached = await sandbox.iot.send(new ListAttachedPoliciesCommand({ target, pageSize: 4 }))
    expect(attached.policies).toHaveLength(4)
    const rest = await sandbox.iot.send(new ListAttachedPoliciesCommand({ target, pageSize: 10, marker: attached.nextMarker }))
    expect(rest.policies).toHaveLength(6)
    expect(rest.nextMarker).toBeUndefined()
  })

  it("lists a thing group's own policies, and its ancestors' too when recursive", async () => {
    await sandbox.iot.send(new CreateThingGroupCommand({ thingGroupName: 'building' }))
    await sandbox.iot.send(new CreateThingGroupCommand({ thingGroupName: 'floor-1', parentGroupName: 'building' }))
    const floor = await sandbox.iot.send(new CreateThingGroupCommand({ thingGroupName: 'room-101', parentGroupName: 'floor-1' }))
    const building = `arn:aws:iot:us-east-1:${sandbox.core.accountId}:thinggroup/building`
    await sandbox.iot.send(new AttachPolicyCommand({ policyName: 'p1', target: building }))
    await sandbox.iot.send(new AttachPolicyCommand({ policyName: 'p2', target: floor.thingGroupArn }))
    const own = await sandbox.iot.send(new ListAttachedPoliciesCommand({ target: floor.thingGroupArn }))
    expect(own.policies!.map((p) => p.policyName)).toEqual(['p2'])
    const inherited = await sandbox.iot.send(new ListAttachedPoliciesCommand({ target: floor.thingGroupArn, recursive: true }))
    expect(inherited.policies!.map((p) => p.policyName)).toEqual(['p2', 'p1'])
    expect((await sandbox.iot.send(new ListTargetsForPolicyCommand({ policyName: 'p1' }))).targets).toContain(building)
  })
})

describe('thing principals', () => {
  let sandbox: TestSandbox
  beforeAll(async () => {
    sandbox = await startTestSandbox()
    for (const thingName of ['lamp-1', 'lamp-2', 'lamp-3']) await sandbox.iot.send(new CreateThingCommand({ thingName }))
  })
  afterAll(async () => {
    await sandbox.stop()
  })

  it('attaches a certificate to things and lists it both ways; detaching removes it', async () => {
    const { certificateArn } = await sandbox.iot.send(new CreateKeysAndCertificateCommand({}))
    await sandbox.iot.send(new AttachThingPrincipalCommand({ thingName: 'lamp-1', principal: certificateArn }))
    await sandbox.iot.send(new AttachThingPrincipalCommand({ thingName: 'lamp-2', principal: certificateArn }))
    await sandbox.iot.send(new AttachThingPrincipalCommand({ thingName: 'lamp-2', principal: certificateArn }))
    expect((await sandbox.iot.send(new ListThingPrincipalsCommand({ thingName: 'lamp-1' }))).principals).toEqual([certificateArn])
    expect((await sandbox.iot.send(new ListPrincipalThingsCommand({ principal: certificateArn }))).things).toEqual(['lamp-1', 'lamp-2'])
    await sandbox.iot.send(new DetachThingPrincipalCommand({ thingName: 'lamp-1', principal: certificateArn }))
    expect((await sandbox.iot.send(new ListThingPrincipalsCommand({ thingName: 'lamp-1' }))).principals).toEqual([])
    expect((await sandbox.iot.send(new ListPrincipalThingsCommand({ principal: certificateArn }))).things).toEqual(['lamp-2'])
  })

  it('refuses an unknown thing or certificate with ResourceNotFoundException', async () => {
    const { certificateArn } = await sandbox.iot.send(new CreateKeysAndCertificateCommand({}))
    expect(await refusal(sandbox.iot.send(new AttachThingPrincipalCommand({ thingName: 'no-such-thing', principal: certificateArn })))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404
    })
    const unknown = certificateArn!.replace(/cert\/.*/, `cert/${'f'.repeat(64)}`)
    expect(await refusal(sandbox.iot.send(new AttachThingPrincipalCommand({ thingName: 'lamp-1', principal: unknown })))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404
    })
    expect(await refusal(sandbox.iot.send(new ListThingPrincipalsCommand({ thingName: 'no-such-thing' })))).toMatchObject({
      name: 'ResourceNotFoundException'
    })
    expect(await refusal(sandbox.iot.send(new ListPrincipalThingsCommand({ principal: unknown })))).toMatchObject({
      name: 'ResourceNotFoundException'
    })
  })

  it('keeps an exclusively attached certificate to its one thing', async () => {
    const { certificateArn } = await sandbox.iot.send(new CreateKeysAndCertificateCommand({}))
    await sandbox.iot.send(new AttachThingPrincipalCommand({ thingName: 'lamp-3', principal: certificateArn, thingPrincipalType: 'EXCLUSIVE_THING' }))
    const elsewhere = await refusal(sandbox.iot.send(new AttachThingPrincipalCommand({ thingName: 'lamp-1', principal: certificateArn })))
    expect(elsewhere).toMatchObject({ name: 'InvalidRequestException', status: 400 })
    expect(elsewhere.message).toContain('exclusively attached to the thing lamp-3')

    const { certificateArn: shared } = await sandbox.iot.send(new CreateKeysAndCertificateCommand({}))
    await sandbox.iot.send(new AttachThingPrincipalCommand({ thingName: 'lamp-1', principal: shared }))
    expect(
      await refusal(sandbox.iot.send(new AttachThingPrincipalCommand({ thingName: 'lamp-2', principal: shared, thingPrincipalType: 'EXCLUSIVE_THING' })))
    ).toMatchObject({ name: 'InvalidRequestException' })
  })
})
