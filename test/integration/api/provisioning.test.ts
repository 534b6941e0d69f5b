import { stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { CreateThingGroupCommand, DeleteThingGroupCommand, type IoTClient } from '@aws-sdk/client-iot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError, type PlanArgument, type ProvisionProgress } from '../../../electron/contract'
import { certificateMatchesKey, parseCertificate } from '../../../electron/core/certificates'
import { startTestApi, type TestApi } from '../../support/apiBackend'
import { makeDeviceCertificate } from '../provisioning/support/deviceCertificate'

let t: TestApi
let iot: IoTClient
beforeAll(async () => {
  t = await startTestApi()
  iot = await t.session.iotClient({ kind: 'local' })
  for (const thingGroupName of ['bench', 'hall', 'batch-line-a', 'batch-line-b']) await iot.send(new CreateThingGroupCommand({ thingGroupName }))
})
afterAll(async () => {
  await t?.close()
})

/** The progress events of one run, as the UI receives them. */
function progressOf(runId: string): ProvisionProgress[] {
  const seen: ProvisionProgress[] = []
  t.api.on('provisioning.progress', (p) => {
    if (p.runId === runId) seen.push(p)
  })
  return seen
}

/** The AWS calls the back end makes while `work` runs. */
async function callsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const calls: string[] = []
  const name = `record-calls-${Math.random()}`
  iot.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push((context.commandName ?? '').replace(/Command$/, ''))
      return next(args)
    },
    { step: 'initialize', name }
  )
  try {
    await work()
  } finally {
    iot.middlewareStack.remove(name)
  }
  return calls
}

/** The write calls only: reads are the checks, not the plan. */
const writesDuring = async (work: () => Promise<unknown>) => (await callsDuring(work)).filter((c) => !/^(Describe|Get|List)/.test(c))

async function previewCalls(plan: PlanArgument) {
  const answer = await t.api.call('provisioning.preview', { plan })
  if (!answer.ok) throw new Error(`preview refused: ${JSON.stringify(answer.problems)}`)
  return answer.preview
}

const noPrivateKey = (value: unknown) => expect(JSON.stringify(value)).not.toMatch(/PRIVATE KEY/)

describe('provisioning.run through the contract, each certificate path', () => {
  it('CSR path: progress for every step, the calls the preview listed, the key only in the vault', async () => {
    const runId = crypto.randomUUID()
    const progress = progressOf(runId)
    const plan = { thingName: 'api-csr-1', attributes: { serial: 'SN-1' }, groups: ['bench'] }
    const preview = await previewCalls(plan)
    expect(preview.calls.map((c) => c.operation)).toEqual([
      'CreateCertificateFromCsr',
      'UpdateCertificate',
      'CreateThing',
      'CreatePolicy',
      'AttachPolicy',
      'AttachThingPrincipal',
      'AddThingToThingGroup'
    ])

    let outcome: Awaited<ReturnType<typeof t.api.call<'provisioning.run'>>> | undefined
    const writes = await writesDuring(async () => {
      outcome = await t.api.call('provisioning.run', { plan, runId })
    })
    expect(outcome?.outcome).toBe('provisioned')
    if (outcome?.outcome !== 'provisioned') return
    expect(writes).toEqual(preview.calls.map((c) => c.operation))
    expect(outcome.result).toMatchObject({ runId, thingName: 'api-csr-1', policyName: 'ThingBench-shadow', groups: ['bench'], privateKeyInVault: true })
    noPrivateKey(outcome)
    noPrivateKey(progress)

    const done = progress.filter((p) => p.phase === 'step' && p.status === 'done').map((p) => (p.phase === 'step' ? p.step : ''))
    expect(done).toEqual(['generateKey', 'createCertificate', 'storeKey', 'activateCertificate', 'createThing', 'createPolicy', 'attachPolicy', 'attachThingPrincipal', 'addToGroups'])
    expect(progress.at(-1)).toEqual({ runId, phase: 'finished', outcome: 'provisioned' })

    const key = await t.session.vault.get(outcome.result.certificateId)
    expect(key && certificateMatchesKey(outcome.result.certificatePem, key)).toBe(true)
  })

  it('AWS path: AWS makes the keys, the private key goes to the vault and is never returned', async () => {
    const runId = crypto.randomUUID()
    const progress = progressOf(runId)
    const plan = { thingName: 'api-aws-1', certificate: { mode: 'aws' as const }, policy: { mode: 'none' as const } }
    const preview = await previewCalls(plan)
    let outcome: Awaited<ReturnType<typeof t.api.call<'provisioning.run'>>> | undefined
    const writes = await writesDuring(async () => {
      outcome = await t.api.call('provisioning.run', { plan, runId })
    })
    expect(outcome?.outcome).toBe('provisioned')
    if (outcome?.outcome !== 'provisioned') return
    expect(writes).toEqual(['CreateKeysAndCertificate', 'UpdateCertificate', 'CreateThing', 'AttachThingPrincipal'])
    expect(writes).toEqual(preview.calls.map((c) => c.operation))
    noPrivateKey(outcome)
    noPrivateKey(progress)
    expect(await t.session.vault.has(outcome.result.certificateId)).toBe(true)
    expect(progress).toContainEqual({ runId, phase: 'step', step: 'generateKey', status: 'skipped', detail: 'AWS generates the key pair' })
  })

  it('existing certificate: registered under its own id, no key on this machine', async () => {
    const certificatePem = await makeDeviceCertificate({ commonName: 'factory-7' })
    const id = parseCertificate(certificatePem).certificateId
    const runId = crypto.randomUUID()
    const progress = progressOf(runId)
    const plan = { thingName: 'api-existing-1', certificate: { mode: 'existing' as const, certificatePem }, policy: { mode: 'none' as const } }
    const preview = await previewCalls(plan)
    // Before the call only the SHA-256 is known; the Local IoT Core, like AWS, then names the certificate by it.
    expect(preview.calls[0]).toEqual({ operation: 'RegisterCertificateWithoutCA', target: `(the file's certificate, SHA-256 ${id}) INACTIVE` })

    let outcome: Awaited<ReturnType<typeof t.api.call<'provisioning.run'>>> | undefined
    const writes = await writesDuring(async () => {
      outcome = await t.api.call('provisioning.run', { plan, runId })
    })
    expect(outcome).toMatchObject({ outcome: 'provisioned', result: { certificateId: id, privateKeyInVault: false } })
    expect(writes).toEqual(preview.calls.map((c) => c.operation))
    expect(progress.some((p) => p.phase === 'step' && p.step === 'storeKey' && p.status === 'skipped')).toBe(true)
    expect(await t.session.vault.has(id)).toBe(false)
  })
})

describe('provisioning.preview', () => {
  it('names what the next device of a batch reuses, and changes nothing', async () => {
    const preview = await previewCalls({ thingName: 'api-csr-2', groups: ['bench'] })
    // The first CSR test made ThingBench-shadow; the same document is reused, not made again.
    expect(preview.reused).toEqual(['policy ThingBench-shadow'])
    expect(preview.calls.map((c) => c.operation)).not.toContain('CreatePolicy')
    await expect(t.api.call('things.describe', { thingName: 'api-csr-2' })).rejects.toMatchObject({ errorName: 'ResourceNotFoundException' })
  })

  it('reports every problem with its path: local rules first, then what AWS has', async () => {
    const local = await t.api.call('provisioning.preview', { plan: { thingName: 'bad name!', groups: ['a', 'a'] } })
    expect(local.ok).toBe(false)
    if (local.ok) return
    expect(local.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['thingName', 'groups']))

    const remote = await t.api.call('provisioning.preview', { plan: { thingName: 'api-x', thingTypeName: 'NoSuchType', groups: ['bench', 'nowhere'] } })
    expect(remote).toMatchObject({ ok: false })
    if (remote.ok) return
    expect(remote.problems.map((p) => p.path)).toEqual(['thingTypeName', 'groups.1'])
    expect(remote.problems[0]!.message).toMatch(/ResourceNotFoundException/)
  })
})

describe('provisioning.run for the next device with the same choices', () => {
  it('skips the checks the previous run of the batch made', async () => {
    // Groups no earlier test named: what a connection's runs found is shared by all of them.
    const plan = (n: number) => ({ thingName: `api-batch-${n}`, groups: ['batch-line-a', 'batch-line-b'], policy: { mode: 'template' as const, template: 'shadow-jobs' as const } })
    const first = await callsDuring(() => t.api.call('provisioning.run', { plan: plan(1) }))
    const second = await callsDuring(() => t.api.call('provisioning.run', { plan: plan(2) }))
    const count = (calls: string[], op: string) => calls.filter((c) => c === op).length
    expect(count(first, 'DescribeThingGroup')).toBe(2)
    expect(count(second, 'DescribeThingGroup')).toBe(0)
    expect(second).not.toContain('CreatePolicy')
  })
})

describe('provisioning.run when things go wrong', () => {
  it('refuses a plan AWS would refuse, with the paths, having made no call', async () => {
    const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'api-refused', groups: ['nowhere'] } })
    expect(outcome).toEqual({ outcome: 'refused', problems: [expect.objectContaining({ path: 'groups.0' })] })
  })

  it('refuses a policy AWS would refuse before any call, in the words of the Local IoT Core’s own grammar', async () => {
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 'iot:*', Resource: '*' }] })
    const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'api-maybe', policy: { mode: 'document', policyName: 'api-bad', document } } })
    expect(outcome).toMatchObject({ outcome: 'refused', problems: [expect.objectContaining({ message: expect.stringMatching(/Effect must be "Allow" or "Deny"/) })] })
    await expect(t.api.call('things.describe', { thingName: 'api-maybe' })).rejects.toMatchObject({ errorName: 'ResourceNotFoundException' })
  })

  it('reports the failed step with AWS error name, and the undo step by step', async () => {
    // A batch remembers that the group exists; someone deletes it between two devices, so the
    // second run passes its checks and AWS refuses AddThingToThingGroup mid-run.
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'api-line-gone' }))
    const first = await t.api.call('provisioning.run', { plan: { thingName: 'api-fails-0', groups: ['api-line-gone'] } })
    expect(first.outcome).toBe('provisioned')
    await iot.send(new DeleteThingGroupCommand({ thingGroupName: 'api-line-gone' }))

    const runId = crypto.randomUUID()
    const progress = progressOf(runId)
    const outcome = await t.api.call('provisioning.run', { runId, plan: { thingName: 'api-fails', groups: ['api-line-gone'] } })
    expect(outcome).toMatchObject({ outcome: 'failed', runId, step: 'addToGroups', errorName: 'ResourceNotFoundException' })
    if (outcome.outcome !== 'failed') return
    expect(outcome.message).toMatch(/api-line-gone/)
    expect(outcome.undo.complete).toBe(true)
    expect(outcome.undo.leftBehind).toEqual([])
    const undone = outcome.undo.actions.map((a) => `${a.action.split(' ')[0]} ${a.status}`)
    expect(undone).toEqual(expect.arrayContaining(['DeleteThing done', 'UpdateCertificate done', 'DeleteCertificate done', 'delete done']))
    expect(progress.filter((p) => p.phase === 'undo').length).toBeGreaterThanOrEqual(outcome.undo.actions.length)
    expect(progress.at(-1)).toEqual({ runId, phase: 'finished', outcome: 'rolledBack' })

    await expect(t.api.call('things.describe', { thingName: 'api-fails' })).rejects.toMatchObject({ errorName: 'ResourceNotFoundException' })
    const certificateId = /([0-9a-f]{64})/.exec(outcome.undo.actions.find((a) => a.action.startsWith('DeleteCertificate'))!.action)![1]!
    expect(await t.session.vault.has(certificateId)).toBe(false)
  })

  it('cancel stops the run between steps and undoes what it did', async () => {
    const runId = crypto.randomUUID()
    const progress = progressOf(runId)
    let cancelAnswer: Promise<{ cancelled: boolean }> | undefined
    const stop = t.api.on('provisioning.progress', (p) => {
      if (p.runId === runId && p.phase === 'step' && p.step === 'createCertificate' && p.status === 'done')
        cancelAnswer ??= t.api.call('provisioning.cancel', { runId })
    })
    const outcome = await t.api.call('provisioning.run', { runId, plan: { thingName: 'api-cancelled', certificate: { mode: 'aws' } } })
    stop()
    expect(await cancelAnswer).toEqual({ cancelled: true })
    expect(outcome).toMatchObject({ outcome: 'failed', runId, step: 'storeKey', errorName: 'AbortError', undo: { complete: true } })
    expect(progress.some((p) => p.phase === 'step' && p.step === 'createThing')).toBe(false)
    const certificates = await t.api.call('certificates.list', {})
    const created = outcome.outcome === 'failed' ? outcome.undo.actions.find((a) => a.action.startsWith('DeleteCertificate'))?.action : undefined
    expect(created).toBeDefined()
    expect(certificates.certificates.map((c) => c.certificateId)).not.toContain(/([0-9a-f]{64})/.exec(created!)![1])
    expect(await t.api.call('provisioning.cancel', { runId })).toEqual({ cancelled: false })
  })
})

describe('provisioning.exportBundle', () => {
  it('writes the console bundle to <home>/exports, the key file owner-only, and returns no key', async () => {
    const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'api-export-1', policy: { mode: 'none' } } })
    if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
    const { certificateId } = outcome.result
    const exported = await t.api.call('provisioning.exportBundle', { certificateId, thingName: 'api-export-1' })
    if ('cancelled' in exported) throw new Error('cancelled')
    noPrivateKey(exported)
    expect(exported.folder).toMatch(new RegExp(`^${join(t.home, 'exports')}/api-export-1-\\d{8}-\\d{6}$`))
    expect(exported.files.map((f) => basename(f)).sort()).toEqual(
      [`${certificateId}-certificate.pem.crt`, `${certificateId}-private.pem.key`, `${certificateId}-public.pem.key`, 'AmazonRootCA1.pem', 'LocalIoTCoreRootCA.pem'].sort()
    )
    const keyFile = exported.files.find((f) => f.endsWith('-private.pem.key'))!
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600)

    // A second export in the same second gets its own folder rather than failing.
    const again = await t.api.call('provisioning.exportBundle', { certificateId, thingName: 'api-export-1' })
    expect('folder' in again && again.folder).not.toBe(exported.folder)
  })

  it('names AWS error for a certificate that does not exist', async () => {
    const error = await t.api.call('provisioning.exportBundle', { certificateId: 'a'.repeat(64), thingName: 'api-export-1' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ errorName: 'ResourceNotFoundException' })
  })
})
