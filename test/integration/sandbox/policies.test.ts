import {
  AttachPolicyCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  SetDefaultPolicyVersionCommand
} from '@aws-sdk/client-iot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'
import { refusal } from '../../support/refusal'


const documentFor = (action: string): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [action], Resource: ['*'] }] })

describe('policies', () => {
  let sandbox: TestSandbox
  beforeAll(async () => {
    sandbox = await startTestSandbox()
  })
  afterAll(async () => {
    await sandbox.stop()
  })

  it('CreatePolicy makes version 1 the default; GetPolicy and ListPolicies show it', async () => {
    const created = await sandbox.iot.send(new CreatePolicyCommand({ policyName: 'bench-connect', policyDocument: documentFor('iot:Connect') }))
    expect(created).toMatchObject({
      policyName: 'bench-connect',
      policyArn: `arn:aws:iot:us-east-1:${sandbox.core.accountId}:policy/bench-connect`,
      policyVersionId: '1',
      policyDocument: documentFor('iot:Connect')
    })
    const got = await sandbox.iot.send(new GetPolicyCommand({ policyName: 'bench-connect' }))
    expect(got).toMatchObject({ defaultVersionId: '1', policyDocument: documentFor('iot:Connect') })
    expect(got.creationDate).toBeInstanceOf(Date)
    const listed = await sandbox.iot.send(new ListPoliciesCommand({}))
    expect(listed.policies).toContainEqual({ policyName: 'bench-connect', policyArn: created.policyArn })
  })

  it('CreatePolicy on an existing name is ResourceAlreadyExistsException, even with the same document', async () => {
    await sandbox.iot.send(new CreatePolicyCommand({ policyName: 'twice', policyDocument: documentFor('iot:Publish') }))
    for (const document of [documentFor('iot:Publish'), documentFor('iot:Receive')]) {
      const error = await refusal(sandbox.iot.send(new CreatePolicyCommand({ policyName: 'twice', policyDocument: document })))
      expect(error).toMatchObject({ name: 'ResourceAlreadyExistsException', status: 409 })
      expect(error.message).toBe('Policy cannot be created - name already exists (name=twice)')
    }
    expect((await sandbox.iot.send(new GetPolicyCommand({ policyName: 'twice' }))).policyDocument).toBe(documentFor('iot:Publish'))
  })

  it.each([
    ['not JSON', '{"Statement": [', 'not valid JSON'],
    ['no Statement', '{"Version":"2012-10-17"}', 'no "Statement"'],
    ['bad Effect', '{"Statement":[{"Effect":"Permit","Action":"iot:*","Resource":"*"}]}', 'Effect must be "Allow" or "Deny"'],
    ['no Action', '{"Statement":[{"Effect":"Allow","Resource":"*"}]}', 'Action'],
    ['no Resource', '{"Statement":[{"Effect":"Allow","Action":"iot:*"}]}', 'Resource and NotResource'],
    ['unknown member', '{"Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*","Colour":"red"}]}', '"Colour"'],
    ['too long', JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'iot:Publish', Resource: Array.from({ length: 60 }, (_, i) => `arn:aws:iot:us-east-1:123456789012:topic/t${i}`) }] }), 'limit is 2048']
  ])('refuses a document with %s as MalformedPolicyException (400)', async (_case, document, says) => {
    const error = await refusal(sandbox.iot.send(new CreatePolicyCommand({ policyName: 'malformed', policyDocument: document })))
    expect(error).toMatchObject({ name: 'MalformedPolicyException', status: 400 })
    expect(error.message).toContain(says)
    expect(await refusal(sandbox.iot.send(new GetPolicyCommand({ policyName: 'malformed' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 })
  })

  it('accepts a single statement object, NotResource, and counts length without white space', async () => {
    await sandbox.iot.send(
      new CreatePolicyCommand({ policyName: 'object-statement', policyDocument: '{"Statement":{"Effect":"Deny","Action":"iot:Publish","NotResource":"arn:aws:iot:*:*:topic/ok"}}' })
    )
    const statement = `{"Effect":"Allow","Action":"iot:Publish","Resource":"${'a'.repeat(1960)}"}`
    const padded = `{ "Statement" : [ ${statement.replace(/,/g, ' ,\n    ')} ] }` + ' '.repeat(500)
    expect(padded.length).toBeGreaterThan(2048)
    await sandbox.iot.send(new CreatePolicyCommand({ policyName: 'padded', policyDocument: padded }))
  })

  it('keeps at most five versions, switches the default, refuses to delete the default', async () => {
    await sandbox.iot.send(new CreatePolicyCommand({ policyName: 'versioned', policyDocument: documentFor('iot:Connect') }))
    for (let i = 2; i <= 5; i++) {
      const version = await sandbox.iot.send(
        new CreatePolicyVersionCommand({ policyName: 'versioned', policyDocument: documentFor(`iot:Action${i}`), setAsDefault: i === 3 })
      )
      expect(version).toMatchObject({ policyVersionId: String(i), isDefaultVersion: i === 3 })
    }
    const sixth = await refusal(sandbox.iot.send(new CreatePolicyVersionCommand({ policyName: 'versioned', policyDocument: documentFor('iot:Six') })))
    expect(sixth).toMatchObject({ name: 'VersionsLimitExceededException', status: 409 })
    expect((await sandbox.iot.send(new GetPolicyCommand({ policyName: 'versioned' }))).defaultVersionId).toBe('3')

    const versions = await sandbox.iot.send(new ListPolicyVersionsCommand({ policyName: 'versioned' }))
    expect(versions.policyVersions!.map((v) => [v.versionId, v.isDefaultVersion])).toEqual([
      ['5', false],
      ['4', false],
      ['3', true],
      ['2', false],
      ['1', false]
    ])
    await sandbox.iot.send(new SetDefaultPolicyVersionCommand({ policyName: 'versioned', policyVersionId: '5' }))
    const v5 = await sandbox.iot.send(new GetPolicyVersionCommand({ policyName: 'versioned', policyVersionId: '5' }))
    expect(v5).toMatchObject({ isDefaultVersion: true, policyDocument: documentFor('iot:Action5') })
    expect((await sandbox.iot.send(new GetPolicyCommand({ policyName: 'versioned' }))).policyDocument).toBe(documentFor('iot:Action5'))

    const deleteDefault = await refusal(sandbox.iot.send(new DeletePolicyVersionCommand({ policyName: 'versioned', policyVersionId: '5' })))
    expect(deleteDefault).toMatchObject({ name: 'DeleteConflictException', status: 409 })
    await sandbox.iot.send(new DeletePolicyVersionCommand({ policyName: 'versioned', policyVersionId: '1' }))
    // Ids are never reused: the next version is 6.
    const next = await sandbox.iot.send(new CreatePolicyVersionCommand({ policyName: 'versioned', policyDocument: documentFor('iot:Again') }))
    expect(next.policyVersionId).toBe('6')
    expect(await refusal(sandbox.iot.send(new GetPolicyVersionCommand({ policyName: 'versioned', policyVersionId: '1' })))).toMatchObject({
      name: 'ResourceNotFoundException'
    })
  })

  it("DeletePolicy refuses while attached or while other versions exist, with AWS's texts", async () => {
    await sandbox.iot.send(new CreatePolicyCommand({ policyName: 'doomed', policyDocument: documentFor('iot:Connect') }))
    const { certificateArn } = await sandbox.iot.send(new CreateKeysAndCertificateCommand({}))
    await sandbox.iot.send(new AttachPolicyCommand({ policyName: 'doomed', target: certificateArn }))
    expect(await refusal(sandbox.iot.send(new DeletePolicyCommand({ policyName: 'doomed' })))).toEqual({
      name: 'DeleteConflictException',
      status: 409,
      message: 'The policy cannot be deleted as the policy is attached to one or more principals (name=doomed)'
    })
    await sandbox.iot.send(new DetachPolicyCommand({ policyName: 'doomed', target: certificateArn }))
    await sandbox.iot.send(new CreatePolicyVersionCommand({ policyName: 'doomed', policyDocument: documentFor('iot:Publish') }))
    expect(await refusal(sandbox.iot.send(new DeletePolicyCommand({ policyName: 'doomed' })))).toEqual({
      name: 'DeleteConflictException',
      status: 409,
      message: 'The policy cannot be deleted as versions other than than default version exist'
    })
    await sandbox.iot.send(new DeletePolicyVersionCommand({ policyName: 'doomed', policyVersionId: '2' }))
    await sandbox.iot.send(new DeletePolicyCommand({ policyName: 'doomed' }))
    expect(await refusal(sandbox.iot.send(new GetPolicyCommand({ policyName: 'doomed' })))).toMatchObject({ name: 'ResourceNotFoundException', status: 404 })
    expect(await refusal(sandbox.iot.send(new DeletePolicyCommand({ policyName: 'doomed' })))).toMatchObject({ name: 'ResourceNotFoundException' })
  })

  it('refuses a policy name outside AWS rules with the validation text', async () => {
    const error = await refusal(sandbox.iot.send(new CreatePolicyCommand({ policyName: 'has space', policyDocument: documentFor('iot:Connect') })))
    expect(error).toMatchObject({ name: 'InvalidRequestException', status: 400 })
    expect(error.message).toContain("Value 'has space' at 'policyName' failed to satisfy constraint")
  })
})

describe('ListPolicies paging', () => {
  it('pages with marker and pageSize in name order, and a deletion between pages skips no policy', async () => {
    const sandbox = await startTestSandbox()
    try {
      const names = ['p-a', 'p-b', 'p-c', 'p-d', 'p-e']
      for (const policyName of [...names].reverse()) await sandbox.iot.send(new CreatePolicyCommand({ policyName, policyDocument: documentFor('iot:Connect') }))
      const first = await sandbox.iot.send(new ListPoliciesCommand({ pageSize: 2 }))
      expect(first.policies!.map((p) => p.policyName)).toEqual(['p-a', 'p-b'])
      // An offset-based marker would now skip p-c.
      await sandbox.iot.send(new DeletePolicyCommand({ policyName: 'p-a' }))
      const second = await sandbox.iot.send(new ListPoliciesCommand({ pageSize: 2, marker: first.nextMarker }))
      expect(second.policies!.map((p) => p.policyName)).toEqual(['p-c', 'p-d'])
      const last = await sandbox.iot.send(new ListPoliciesCommand({ pageSize: 2, marker: second.nextMarker }))
      expect(last.policies!.map((p) => p.policyName)).toEqual(['p-e'])
      expect(last.nextMarker).toBeUndefined()
      const descending = await sandbox.iot.send(new ListPoliciesCommand({ ascendingOrder: false }))
      expect(descending.policies!.map((p) => p.policyName)).toEqual(['p-e', 'p-d', 'p-c', 'p-b'])
      expect(await refusal(sandbox.iot.send(new ListPoliciesCommand({ marker: 'bogus' })))).toMatchObject({ name: 'InvalidRequestException', status: 400 })
    } finally {
      await sandbox.stop()
    }
  })
})
