import {
  CreatePolicyCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DeletePolicyCommand,
  DeleteThingCommand,
  DeleteThingGroupCommand,
  RegisterCertificateWithoutCACommand,
  UpdateCertificateCommand
} from '@aws-sdk/client-iot'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ProvisionPlanInput, ProvisionProgress, ProvisionStep } from '../../../electron/contract'
import { generateKeyPair } from '../../../electron/core/certificates'
import { provision, ProvisioningError, validatePlan } from '../../../electron/core/provisioning'
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

type Inventory = Awaited<ReturnType<typeof inventory>>

interface FailureCase {
  step: ProvisionStep
  plan: ProvisionPlanInput
  setup?: () => Promise<void>
  /** Changes AWS (or the vault) when the step starts, after the plan was checked: a real refusal follows. */
  interfere: (p: { runId: string; certificateId?: string }) => Promise<void>
  errorName: string
  /** The account as the test itself changed it; the run must leave nothing else. */
  expected: (before: Inventory) => Inventory
  /** Vault ids left afterwards: only entries the test itself put there. */
  vaultIdsAfter?: (p: { runId: string; certificateId?: string }) => string[]
}

const denyAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iot:*', Resource: '*' }] })
const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] })
let deviceCertificatePem = ''
let registeredByTest: { certificateId: string } | undefined

const cases: FailureCase[] = [
  {
    step: 'generateKey',
    plan: { thingName: 'lamp-1' },
    // Another key already filed under the run id: the vault refuses to overwrite it.
    interfere: async ({ runId }) => h.vault.put(runId, (await generateKeyPair('ec')).privateKeyPem),
    errorName: 'VaultEntryError',
    expected: (before) => before,
    // The refused put changed nothing; the key the test filed is not the run's and stays.
    vaultIdsAfter: ({ runId }) => [runId]
  },
  {
    step: 'createCertificate',
    plan: { thingName: 'lamp-1', certificate: { mode: 'existing', certificatePem: '' } },
    setup: async () => {
      deviceCertificatePem = await makeDeviceCertificate()
    },
    interfere: async () => {
      const out = await h.iot.send(new RegisterCertificateWithoutCACommand({ certificatePem: deviceCertificatePem, status: 'INACTIVE' }))
      registeredByTest = { certificateId: out.certificateId! }
    },
    errorName: 'ResourceAlreadyExistsException',
    expected: (before) => ({ ...before, certificates: [{ certificateId: registeredByTest!.certificateId, status: 'INACTIVE' }] })
  },
  {
    step: 'storeKey',
    plan: { thingName: 'lamp-1' },
    interfere: async ({ certificateId }) => h.vault.put(certificateId!, (await generateKeyPair('ec')).privateKeyPem),
    errorName: 'VaultEntryError',
    expected: (before) => before,
    // The entry the test put there is not the run's, so undo leaves it.
    vaultIdsAfter: ({ certificateId }) => [certificateId!]
  },
  {
    step: 'activateCertificate',
    plan: { thingName: 'lamp-1', certificate: { mode: 'aws' } },
    interfere: async ({ certificateId }) => {
      await h.iot.send(new UpdateCertificateCommand({ certificateId: certificateId!, newStatus: 'REVOKED' }))
    },
    errorName: 'CertificateStateException',
    expected: (before) => before
  },
  {
    step: 'createThing',
    plan: { thingName: 'lamp-1', attributes: { serial: 'SN-1' } },
    interfere: async () => {
      await h.iot.send(new CreateThingCommand({ thingName: 'lamp-1', attributePayload: { attributes: { serial: 'SN-OTHER' } } }))
    },
    errorName: 'ResourceAlreadyExistsException',
    // The thing someone else made meanwhile is not the run's: it stays.
    expected: (before) => ({ ...before, things: ['lamp-1'], thingPrincipals: { 'lamp-1': [] } })
  },
  {
    step: 'createPolicy',
    plan: { thingName: 'lamp-1' },
    interfere: async () => {
      await h.iot.send(new CreatePolicyCommand({ policyName: 'ThingBench-shadow', policyDocument: denyAll }))
    },
    errorName: 'ResourceAlreadyExistsException',
    expected: (before) => ({ ...before, policyTargets: { 'ThingBench-shadow': [] } })
  },
  {
    step: 'attachPolicy',
    plan: { thingName: 'lamp-1', policy: { mode: 'existing', policyName: 'fleet' } },
    setup: async () => {
      await h.iot.send(new CreatePolicyCommand({ policyName: 'fleet', policyDocument: allowAll }))
    },
    interfere: async () => {
      await h.iot.send(new DeletePolicyCommand({ policyName: 'fleet' }))
    },
    errorName: 'ResourceNotFoundException',
    expected: (before) => ({ ...before, policyTargets: {} })
  },
  {
    step: 'attachThingPrincipal',
    plan: { thingName: 'lamp-1', groups: ['line-1'] },
    setup: async () => {
      await h.iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-1' }))
    },
    interfere: async () => {
      await h.iot.send(new DeleteThingCommand({ thingName: 'lamp-1' }))
    },
    errorName: 'ResourceNotFoundException',
    expected: (before) => before
  },
  {
    step: 'addToGroups',
    plan: { thingName: 'lamp-1', certificate: { mode: 'csr', keyAlgorithm: 'rsa2048' }, groups: ['line-1', 'line-2'] },
    setup: async () => {
      await h.iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-1' }))
      await h.iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-2' }))
    },
    interfere: async () => {
      await h.iot.send(new DeleteThingGroupCommand({ thingGroupName: 'line-2' }))
    },
    errorName: 'ResourceNotFoundException',
    expected: (before) => ({ ...before, groupMembers: { 'line-1': [] } })
  }
]

describe('provision: a failure at each step is undone completely', () => {
  for (const c of cases) {
    it(`${c.step}: ${c.errorName}`, async () => {
      await c.setup?.()
      const input = c.plan.certificate?.mode === 'existing' ? { ...c.plan, certificate: { mode: 'existing' as const, certificatePem: deviceCertificatePem } } : c.plan
      const checked = validatePlan(input)
      if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
      const before = await inventory(h.iot)

      let certificateId: string | undefined
      let runId = ''
      const onProgress = async (p: ProvisionProgress) => {
        runId = p.runId
        if (p.phase === 'step' && p.step === 'createCertificate' && p.status === 'done') certificateId = p.detail?.split(' ')[0]
        if (p.phase === 'step' && p.step === c.step && p.status === 'started') await c.interfere({ runId: p.runId, certificateId })
      }
      const error = await provision(checked.plan, h.ctx({ onProgress })).catch((e: unknown) => e)

      expect(error).toBeInstanceOf(ProvisioningError)
      const failure = error as ProvisioningError
      expect({ step: failure.step, errorName: failure.errorName, complete: failure.undo.complete, leftBehind: failure.undo.leftBehind }).toEqual({
        step: c.step,
        errorName: c.errorName,
        complete: true,
        leftBehind: []
      })
      expect(failure.message).toContain(`failed at ${c.step}: ${c.errorName}`)
      expect(await inventory(h.iot)).toEqual(c.expected(before))
      expect((await h.vault.list()).map((e) => e.id)).toEqual(c.vaultIdsAfter?.({ runId, certificateId }) ?? [])
      expect(await h.journalFiles()).toEqual([])

      const failed = h.progress.find((p) => p.phase === 'failed')
      expect(failed).toMatchObject({ step: c.step, errorName: c.errorName })
      expect(h.progress.filter((p) => p.phase === 'undo' && p.status === 'failed')).toEqual([])
      expect(h.progress.at(-1)).toMatchObject({ phase: 'finished', outcome: 'rolledBack' })
    })
  }

  it('a cancelled run stops before its next step and is undone', async () => {
    const checked = validatePlan({ thingName: 'lamp-1' })
    if (!checked.ok) throw new Error('plan')
    const before = await inventory(h.iot)
    const controller = new AbortController()
    const onProgress = (p: ProvisionProgress) => {
      if (p.phase === 'step' && p.step === 'createThing' && p.status === 'done') controller.abort()
    }
    const error = await provision(checked.plan, { ...h.ctx({ onProgress }), signal: controller.signal }).catch((e: unknown) => e)
    expect(error).toMatchObject({ step: 'createPolicy', errorName: 'AbortError', undo: { complete: true } })
    expect(await inventory(h.iot)).toEqual(before)
    expect(await h.vault.list()).toEqual([])
  })

  it('undo lists what it did, newest first, with the vault key last', async () => {
    await h.iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-1' }))
    const checked = validatePlan({ thingName: 'lamp-1', groups: ['line-1'] })
    if (!checked.ok) throw new Error('plan')
    const onProgress = async (p: ProvisionProgress) => {
      if (p.phase === 'step' && p.step === 'addToGroups' && p.status === 'started')
        await h.iot.send(new DeleteThingGroupCommand({ thingGroupName: 'line-1' }))
    }
    const error = (await provision(checked.plan, h.ctx({ onProgress })).catch((e: unknown) => e)) as ProvisioningError
    expect(error.undo.actions.map((a) => a.action.split(' ')[0])).toEqual([
      'DetachThingPrincipal',
      'DetachPolicy',
      'DeletePolicy',
      'DeleteThing',
      'UpdateCertificate',
      'DeleteCertificate',
      'delete',
      'delete'
    ])
  })

  it('a run that fails again for an existing thing keeps the thing, its membership and its first certificate', async () => {
    await h.iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-1' }))
    await h.iot.send(new CreatePolicyCommand({ policyName: 'fleet', policyDocument: allowAll }))
    const checked = validatePlan({ thingName: 'lamp-1', groups: ['line-1'], policy: { mode: 'existing', policyName: 'fleet' } })
    if (!checked.ok) throw new Error('plan')
    const first = await provision(checked.plan, h.ctx())
    const before = await inventory(h.iot)

    // The second run reuses the thing and attaches another existing policy, fleet-2.
    const failing = validatePlan({ thingName: 'lamp-1', groups: ['line-1'], policy: { mode: 'existing', policyName: 'fleet-2' }, addCertificateToExistingThing: true })
    if (!failing.ok) throw new Error('plan')
    // fleet-2 does not exist yet: the checks refuse the plan before any write...
    await expect(provision(failing.plan, h.ctx())).rejects.toThrow(/Policy fleet-2 does not exist/)
    expect(await inventory(h.iot)).toEqual(before)

    // ...so make it exist for the checks and vanish when the run gets to AttachPolicy.
    await h.iot.send(new CreatePolicyCommand({ policyName: 'fleet-2', policyDocument: allowAll }))
    const vanish = async (p: ProvisionProgress) => {
      if (p.phase === 'step' && p.step === 'attachPolicy' && p.status === 'started') await h.iot.send(new DeletePolicyCommand({ policyName: 'fleet-2' }))
    }
    const error = await provision(failing.plan, h.ctx({ onProgress: vanish })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProvisioningError)
    expect((error as ProvisioningError).undo.actions.map((a) => a.action)).not.toContain('DeleteThing lamp-1')
    expect(await inventory(h.iot)).toEqual(before)
    expect((await inventory(h.iot)).thingPrincipals['lamp-1']).toEqual([first.certificateArn])
    expect((await h.vault.list()).map((e) => e.id)).toEqual([first.certificateId])
  })
})
