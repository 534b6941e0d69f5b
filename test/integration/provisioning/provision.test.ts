import {
  CreatePolicyCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  DeleteThingGroupCommand,
  DeprecateThingTypeCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  GetPolicyCommand,
  ListAttachedPoliciesCommand,
  ListThingGroupsForThingCommand,
  ListThingPrincipalsCommand,
  RegisterCertificateWithoutCACommand,
  UpdateCertificateCommand
} from '@aws-sdk/client-iot'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ProvisionPlanInput } from '../../../electron/contract'
import { certificateMatchesKey, parseCertificate } from '../../../electron/core/certificates'
import { BatchFacts, PlanRefusedError, ProvisioningError, provision, validatePlan } from '../../../electron/core/provisioning'
import { makeDeviceCertificate } from './support/deviceCertificate'
import { startHarness, type Harness } from './support/harness'
import { inventory } from './support/inventory'

let h: Harness
beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

function plan(input: ProvisionPlanInput) {
  const checked = validatePlan(input)
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
  return checked.plan
}

async function makeGroups(...names: string[]) {
  for (const thingGroupName of names) await h.iot.send(new CreateThingGroupCommand({ thingGroupName }))
}

/** What AWS shows for a provisioned thing: type, attributes, its principals, their policies, its groups. */
async function provisionedState(thingName: string) {
  const thing = await h.iot.send(new DescribeThingCommand({ thingName }))
  const principals = (await h.iot.send(new ListThingPrincipalsCommand({ thingName }))).principals ?? []
  const policies = await Promise.all(
    principals.map(async (target) => ((await h.iot.send(new ListAttachedPoliciesCommand({ target }))).policies ?? []).map((p) => p.policyName))
  )
  const groups = ((await h.iot.send(new ListThingGroupsForThingCommand({ thingName }))).thingGroups ?? []).map((g) => g.groupName).sort()
  return { thingTypeName: thing.thingTypeName, attributes: thing.attributes, principals, policies, groups }
}

describe('provision: each certificate path end to end', () => {
  it('CSR path: key made here and kept in the vault, certificate ACTIVE, thing, template policy, groups', async () => {
    await h.iot.send(new CreateThingTypeCommand({ thingTypeName: 'Lamp' }))
    await makeGroups('line-1', 'line-2')
    const result = await provision(
      plan({ thingName: 'lamp-1', thingTypeName: 'Lamp', attributes: { serial: 'SN-001' }, groups: ['line-1', 'line-2'] }),
      h.ctx()
    )

    expect(await provisionedState('lamp-1')).toEqual({
      thingTypeName: 'Lamp',
      attributes: { serial: 'SN-001' },
      principals: [result.certificateArn],
      policies: [['ThingBench-shadow']],
      groups: ['line-1', 'line-2']
    })
    const described = await h.iot.send(new DescribeCertificateCommand({ certificateId: result.certificateId }))
    expect(described.certificateDescription?.status).toBe('ACTIVE')
    // The key in the vault, under the certificate id, is the certificate's key; nothing under the run id.
    const key = await h.vault.get(result.certificateId)
    expect(key && certificateMatchesKey(result.certificatePem, key)).toBe(true)
    expect(await h.vault.has(result.runId)).toBe(false)
    expect(parseCertificate(result.certificatePem).keyAlgorithm).toBe('EC P-256')
    // The template was rendered for the sandbox's region and account (from the certificate ARN).
    const policy = await h.iot.send(new GetPolicyCommand({ policyName: 'ThingBench-shadow' }))
    const [, , , region, account] = result.certificateArn.split(':')
    expect(policy.policyDocument).toContain(`:iot:${region}:${account}:client/`)
    expect(result).toMatchObject({ thingName: 'lamp-1', policyName: 'ThingBench-shadow', groups: ['line-1', 'line-2'], privateKeyInVault: true, reused: [] })
    expect(await h.journalFiles()).toEqual([])

    const steps = h.progress.filter((p) => p.phase === 'step' && p.status !== 'started').map((p) => p.phase === 'step' && `${p.step}:${p.status}`)
    expect(steps).toEqual([
      'generateKey:done',
      'createCertificate:done',
      'storeKey:done',
      'activateCertificate:done',
      'createThing:done',
      'createPolicy:done',
      'attachPolicy:done',
      'attachThingPrincipal:done',
      'addToGroups:done'
    ])
    expect(h.progress.at(-1)).toEqual({ runId: result.runId, phase: 'finished', outcome: 'provisioned' })
  })

  it('CSR path with a 128-character thing name (longer than a certificate common name may be)', async () => {
    const thingName = `bench-${'x'.repeat(122)}`
    const result = await provision(plan({ thingName, certificate: { mode: 'csr', keyAlgorithm: 'rsa2048' }, policy: { mode: 'none' } }), h.ctx())
    const key = await h.vault.get(result.certificateId)
    expect(key && certificateMatchesKey(result.certificatePem, key)).toBe(true)
    expect(await provisionedState(thingName)).toMatchObject({ principals: [result.certificateArn] })
  })

  it('AWS-generated keys: the private key AWS returns once is kept in the vault', async () => {
    const result = await provision(plan({ thingName: 'sensor-7', certificate: { mode: 'aws' }, policy: { mode: 'none' } }), h.ctx())
    const key = await h.vault.get(result.certificateId)
    expect(key && certificateMatchesKey(result.certificatePem, key)).toBe(true)
    expect((await h.iot.send(new DescribeCertificateCommand({ certificateId: result.certificateId }))).certificateDescription?.status).toBe('ACTIVE')
    expect(await provisionedState('sensor-7')).toMatchObject({ principals: [result.certificateArn], policies: [[]], groups: [] })
    const skipped = h.progress.filter((p) => p.phase === 'step' && p.status === 'skipped').map((p) => p.phase === 'step' && p.step)
    expect(skipped).toEqual(['generateKey', 'createPolicy', 'attachPolicy', 'addToGroups'])
  })

  it('existing device certificate: registered without a CA, its key stays on the device, user policy document', async () => {
    const certificatePem = await makeDeviceCertificate({ commonName: 'factory-42' })
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] })
    const result = await provision(
      plan({ thingName: 'gateway-42', certificate: { mode: 'existing', certificatePem }, policy: { mode: 'document', policyName: 'gw-connect', document } }),
      h.ctx()
    )
    expect(result.certificateId).toBe(parseCertificate(certificatePem).certificateId)
    expect(result.privateKeyInVault).toBe(false)
    expect(await h.vault.list()).toEqual([])
    expect(await provisionedState('gateway-42')).toMatchObject({ principals: [result.certificateArn], policies: [['gw-connect']] })
    expect((await h.iot.send(new DescribeCertificateCommand({ certificateId: result.certificateId }))).certificateDescription?.status).toBe('ACTIVE')
  })

  it('attaches an existing policy by name without creating one', async () => {
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] })
    await h.iot.send(new CreatePolicyCommand({ policyName: 'fleet-default', policyDocument: document }))
    const result = await provision(plan({ thingName: 'lamp-2', certificate: { mode: 'csr', keyAlgorithm: 'rsa2048' }, policy: { mode: 'existing', policyName: 'fleet-default' } }), h.ctx())
    expect(await provisionedState('lamp-2')).toMatchObject({ policies: [['fleet-default']] })
    expect(parseCertificate(result.certificatePem).keyAlgorithm).toBe('RSA 2048')
  })
})

describe('provision: a plan AWS would refuse is refused before any write', () => {
  async function expectRefusedWithoutChanges(input: ProvisionPlanInput, problem: RegExp) {
    const before = await inventory(h.iot)
    const error = await provision(plan(input), h.ctx()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PlanRefusedError)
    expect((error as PlanRefusedError).message).toMatch(problem)
    expect(await inventory(h.iot)).toEqual(before)
    expect(await h.vault.list()).toEqual([])
    expect(await h.journalFiles()).toEqual([])
    expect(h.progress).toEqual([])
  }

  it('a group that does not exist', async () => {
    await makeGroups('line-1')
    await expectRefusedWithoutChanges({ thingName: 'lamp-1', groups: ['line-1', 'line-9'] }, /groups\.1: Thing group line-9 does not exist \(ResourceNotFoundException\)/)
  })

  it('a thing type that does not exist, or is deprecated', async () => {
    await expectRefusedWithoutChanges({ thingName: 'lamp-1', thingTypeName: 'Nope' }, /Thing type Nope does not exist/)
    await h.iot.send(new CreateThingTypeCommand({ thingTypeName: 'OldLamp' }))
    await h.iot.send(new DeprecateThingTypeCommand({ thingTypeName: 'OldLamp' }))
    await expectRefusedWithoutChanges({ thingName: 'lamp-1', thingTypeName: 'OldLamp' }, /OldLamp is deprecated/)
  })

  it('an existing policy that does not exist', async () => {
    await expectRefusedWithoutChanges({ thingName: 'lamp-1', policy: { mode: 'existing', policyName: 'ghost' } }, /Policy ghost does not exist/)
  })

  it('a policy name taken by a different document', async () => {
    await h.iot.send(new CreatePolicyCommand({ policyName: 'ThingBench-shadow', policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iot:*","Resource":"*"}]}' }))
    await expectRefusedWithoutChanges({ thingName: 'lamp-1' }, /policy named ThingBench-shadow already exists with a different document/)
  })

  it('a thing that exists with other attributes (ThingBench does not change it)', async () => {
    await h.iot.send(new CreateThingCommand({ thingName: 'lamp-1', attributePayload: { attributes: { serial: 'SN-OLD' } } }))
    await expectRefusedWithoutChanges(
      { thingName: 'lamp-1', attributes: { serial: 'SN-NEW' } },
      /Thing lamp-1 already exists with attributes \{"serial":"SN-OLD"\} instead of \{"serial":"SN-NEW"\}.*does not change an existing thing/
    )
  })

  it('a device certificate that is already registered', async () => {
    const certificatePem = await makeDeviceCertificate()
    const registered = await h.iot.send(new RegisterCertificateWithoutCACommand({ certificatePem, status: 'INACTIVE' }))
    await expectRefusedWithoutChanges({ thingName: 'lamp-1', certificate: { mode: 'existing', certificatePem } }, new RegExp(`already registered as ${registered.certificateId}`))
  })
})

describe('provision: running again for an existing thing', () => {
  it('refuses an existing thing name unless the plan asks to add a certificate, naming its certificates and groups', async () => {
    await makeGroups('line-1')
    const first = await provision(plan({ thingName: 'lamp-1', groups: ['line-1'] }), h.ctx())
    const before = await inventory(h.iot)
    const refused = await provision(plan({ thingName: 'lamp-1', groups: ['line-1'] }), h.ctx()).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(PlanRefusedError)
    expect((refused as PlanRefusedError).message).toMatch(
      new RegExp(`Thing lamp-1 already exists, with certificate ${first.certificateId.slice(0, 12)}… \\(ACTIVE\\) and group line-1 .*--add-certificate`)
    )
    expect(await inventory(h.iot)).toEqual(before)
    expect((await provisionedState('lamp-1')).principals).toEqual([first.certificateArn])
  })

  it('reuses the thing, the policy and the group membership, and adds a second certificate', async () => {
    await makeGroups('line-1')
    const input: ProvisionPlanInput = { thingName: 'lamp-1', attributes: { serial: 'SN-1' }, groups: ['line-1'] }
    const first = await provision(plan(input), h.ctx())
    const second = await provision(plan({ ...input, addCertificateToExistingThing: true }), h.ctx())

    expect(second.reused).toEqual(['thing lamp-1', 'policy ThingBench-shadow', 'membership of line-1'])
    expect(second.thingArn).toBe(first.thingArn)
    expect(second.certificateId).not.toBe(first.certificateId)
    const state = await provisionedState('lamp-1')
    expect(state.principals.sort()).toEqual([first.certificateArn, second.certificateArn].sort())
    expect(state.groups).toEqual(['line-1'])
    // Both certificates are active with their keys in the vault.
    for (const r of [first, second]) {
      expect((await h.iot.send(new DescribeCertificateCommand({ certificateId: r.certificateId }))).certificateDescription?.status).toBe('ACTIVE')
      expect(await h.vault.has(r.certificateId)).toBe(true)
    }
  })

  it('a certificate deactivated by hand is not touched by a new run', async () => {
    const first = await provision(plan({ thingName: 'lamp-1' }), h.ctx())
    await h.iot.send(new UpdateCertificateCommand({ certificateId: first.certificateId, newStatus: 'INACTIVE' }))
    await provision(plan({ thingName: 'lamp-1', addCertificateToExistingThing: true }), h.ctx())
    expect((await h.iot.send(new DescribeCertificateCommand({ certificateId: first.certificateId }))).certificateDescription?.status).toBe('INACTIVE')
  })
})

describe('provision: a batch sharing what its runs found', () => {
  it('asks AWS once for the batch’s group and policy, and after a failure asks again', async () => {
    await makeGroups('line-1')
    const batchFacts = new BatchFacts()
    const input = (thingName: string): ProvisionPlanInput => ({ thingName, groups: ['line-1'] })
    await provision(plan(input('lamp-1')), { ...h.ctx(), batchFacts })
    await provision(plan(input('lamp-2')), { ...h.ctx(), batchFacts })
    expect((await provisionedState('lamp-2')).groups).toEqual(['line-1'])

    // The group goes while the batch still remembers it: the run fails at its write and is undone...
    await h.iot.send(new DeleteThingGroupCommand({ thingGroupName: 'line-1' }))
    const failed = await provision(plan(input('lamp-3')), { ...h.ctx(), batchFacts }).catch((e: unknown) => e)
    expect(failed).toBeInstanceOf(ProvisioningError)
    expect(failed).toMatchObject({ step: 'addToGroups', errorName: 'ResourceNotFoundException' })
    await expect(h.iot.send(new DescribeThingCommand({ thingName: 'lamp-3' }))).rejects.toThrow(/lamp-3/)

    // ...and the next run checks afresh: refused before any write.
    const refused = await provision(plan(input('lamp-4')), { ...h.ctx(), batchFacts }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(PlanRefusedError)
    expect((refused as Error).message).toMatch(/Thing group line-1 does not exist/)
  })
})
