import { AttachThingPrincipalCommand, CreateThingCommand, CreateThingGroupCommand, DescribeCertificateCommand } from '@aws-sdk/client-iot'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ProvisionPlanInput } from '../../../electron/contract'
import { deprovision, provision, ThingNotFoundError, validatePlan } from '../../../electron/core/provisioning'
import { startHarness, type Harness } from './support/harness'
import { inventory } from './support/inventory'

let h: Harness
beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

async function provisionThing(input: ProvisionPlanInput) {
  const checked = validatePlan(input)
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
  return provision(checked.plan, h.ctx())
}

describe('deprovision', () => {
  it('a dry run lists the exact calls in cleanup order and changes nothing', async () => {
    await h.iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-1' }))
    const r = await provisionThing({ thingName: 'lamp-1', groups: ['line-1'] })
    const before = await inventory(h.iot)

    const dry = await deprovision({ thingName: 'lamp-1', deletePolicy: true, dryRun: true }, h)
    expect(dry).toEqual({
      done: false,
      notes: [],
      calls: [
        { operation: 'DetachThingPrincipal', target: `lamp-1 ${r.certificateArn}` },
        { operation: 'DetachPolicy', target: `ThingBench-shadow ${r.certificateArn}` },
        { operation: 'UpdateCertificate', target: `${r.certificateId} INACTIVE` },
        { operation: 'DeleteCertificate', target: r.certificateId },
        { operation: 'DeletePolicy', target: 'ThingBench-shadow' },
        { operation: 'DeleteVaultKey', target: r.certificateId },
        { operation: 'DeleteThing', target: 'lamp-1' }
      ]
    })
    expect(await inventory(h.iot)).toEqual(before)
    expect(await h.vault.has(r.certificateId)).toBe(true)
  })

  it('removes the thing, its certificates, their keys and (when asked) the policy left attached to nothing', async () => {
    await h.iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-1' }))
    const first = await provisionThing({ thingName: 'lamp-1', groups: ['line-1'] })
    const second = await provisionThing({ thingName: 'lamp-1', groups: ['line-1'], certificate: { mode: 'aws' }, addCertificateToExistingThing: true })

    const result = await deprovision({ thingName: 'lamp-1', deletePolicy: true, dryRun: false }, h)
    expect(result.done).toBe(true)
    expect(result.notes).toEqual([])
    // The shared policy goes once, after the last certificate that held it was detached.
    const operations = result.calls.map((c) => c.operation)
    expect(operations.filter((o) => o === 'DeletePolicy')).toHaveLength(1)
    expect(operations.indexOf('DeletePolicy')).toBeGreaterThan(operations.lastIndexOf('DetachPolicy'))
    expect(operations.at(-1)).toBe('DeleteThing')
    expect(result.calls.filter((c) => c.operation === 'DeleteCertificate').map((c) => c.target).sort()).toEqual([first.certificateId, second.certificateId].sort())
    expect(await inventory(h.iot)).toEqual({ things: [], certificates: [], policyTargets: {}, thingPrincipals: {}, groupMembers: { 'line-1': [] } })
    expect(await h.vault.list()).toEqual([])
  })

  it('keeps the policy unless asked, and keeps a policy another thing still uses', async () => {
    const lamp1 = await provisionThing({ thingName: 'lamp-1' })
    const lamp2 = await provisionThing({ thingName: 'lamp-2' })

    const kept = await deprovision({ thingName: 'lamp-1', deletePolicy: false, dryRun: false }, h)
    expect(kept.calls.map((c) => c.operation)).not.toContain('DeletePolicy')
    expect((await inventory(h.iot)).policyTargets).toEqual({ 'ThingBench-shadow': [lamp2.certificateArn] })
    await expect(h.iot.send(new DescribeCertificateCommand({ certificateId: lamp1.certificateId }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })

    const shared = await deprovision({ thingName: 'lamp-2', deletePolicy: true, dryRun: true }, h)
    expect(shared.calls.map((c) => c.operation)).toContain('DeletePolicy')
    const lamp3 = await provisionThing({ thingName: 'lamp-3' })
    const stillUsed = await deprovision({ thingName: 'lamp-2', deletePolicy: true, dryRun: false }, h)
    expect(stillUsed.calls.map((c) => c.operation)).not.toContain('DeletePolicy')
    expect(stillUsed.notes).toEqual([`Policy ThingBench-shadow is kept: it is still attached to ${lamp3.certificateArn}`])
    expect((await inventory(h.iot)).policyTargets).toEqual({ 'ThingBench-shadow': [lamp3.certificateArn] })
  })

  it('only detaches a certificate another thing still uses, and keeps its key', async () => {
    const r = await provisionThing({ thingName: 'lamp-1' })
    await h.iot.send(new CreateThingCommand({ thingName: 'lamp-1-twin' }))
    await h.iot.send(new AttachThingPrincipalCommand({ thingName: 'lamp-1-twin', principal: r.certificateArn }))

    const result = await deprovision({ thingName: 'lamp-1', deletePolicy: true, dryRun: false }, h)
    expect(result.calls).toEqual([
      { operation: 'DetachThingPrincipal', target: `lamp-1 ${r.certificateArn}` },
      { operation: 'DeleteThing', target: 'lamp-1' }
    ])
    expect(result.notes).toEqual([`Certificate ${r.certificateId} is only detached: things lamp-1-twin still use it`])
    const after = await inventory(h.iot)
    expect(after.things).toEqual(['lamp-1-twin'])
    expect(after.certificates).toEqual([{ certificateId: r.certificateId, status: 'ACTIVE' }])
    expect(await h.vault.has(r.certificateId)).toBe(true)
  })

  it('says clearly when the thing does not exist', async () => {
    const error = await deprovision({ thingName: 'ghost', deletePolicy: false, dryRun: true }, h).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ThingNotFoundError)
    expect(error).toMatchObject({ errorName: 'ResourceNotFoundException', message: expect.stringMatching(/Thing ghost was not found/) })
  })
})
