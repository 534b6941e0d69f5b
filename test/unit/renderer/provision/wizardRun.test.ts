// @vitest-environment happy-dom
import { DeleteThingGroupCommand, DescribeThingCommand } from '@aws-sdk/client-iot'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ProvisionProgress } from '../../../../electron/contract/provisioning'
import { useProvisioningStore } from '../../../../renderer/src/stores/useProvisioningStore'
import { startTestApi, type TestApi } from '../../../support/apiBackend'
import { mountApp, type MountedApp } from '../shell/mountApp'
import { wizardDriver } from './wizardDriver'

// The wizard from the first field to Done, and a run that fails, against the real back end and
// the Local IoT Core.
let t: TestApi
let app: MountedApp | undefined

beforeAll(async () => {
  t = await startTestApi()
})
afterAll(async () => {
  await t?.close()
})
afterEach(() => {
  app?.unmount()
  app = undefined
})

describe('the provisioning wizard runs a plan', () => {
  it('takes the CSR path to Done, showing each step, then exports the bundle', async () => {
    await t.api.call('groups.create', { groupName: 'bench' })
    const progress: ProvisionProgress[] = []
    const stop = t.api.on('provisioning.progress', (p) => progress.push(p))
    app = await mountApp(t.api)
    const w = wizardDriver(app)

    await w.type('wizard-thing-name', 'lamp-csr')
    await w.click('wizard-add-attribute')
    await w.type('wizard-attribute-name-0', 'floor')
    await w.type('wizard-attribute-value-0', '3')
    await w.next('wizard-step-identity')

    expect((w.el('identity-mode-csr').querySelector('input') as HTMLInputElement).checked).toBe(true)
    await w.choose('identity-key-rsa2048')
    await w.next('wizard-step-policy')

    // The template's document, rendered, before anything is made.
    await app.waitFor(() => w.el('policy-template-preview').textContent?.includes('iot:Connect'), 'the template preview')
    await w.next('wizard-step-groups')

    await w.clickTreeNode('groups-tree', 'bench')
    await w.next('wizard-step-review')

    await app.waitFor(() => w.has('review-calls'), 'the planned calls')
    const operations = [...document.querySelectorAll('[data-testid="review-call"]')].map((c) => c.querySelector('code')?.textContent)
    expect(operations).toEqual(expect.arrayContaining(['CreateCertificateFromCsr', 'CreateThing', 'AttachPolicy', 'AttachThingPrincipal', 'AddThingToThingGroup']))
    expect(operations.indexOf('CreateThing')).toBeLessThan(operations.indexOf('AttachThingPrincipal'))

    await w.click('wizard-run')
    // Provisioned: straight on to Done, no Finish click; the plan is done with (no Back).
    await app.waitFor(() => w.has('wizard-step-done'), 'Done after the run', 60_000)
    stop()
    expect(w.has('wizard-back')).toBe(false)
    expect(w.has('wizard-next')).toBe(false)
    const thingArn = w.el('done-thing-arn').textContent!
    expect(thingArn).toMatch(/:thing\/lamp-csr$/)
    expect(w.el('done-certificate-id').textContent).toMatch(/^[0-9a-f]{64}$/)
    // Every step is shown with the status its progress event gave it.
    for (const step of ['generateKey', 'createCertificate', 'storeKey', 'createThing', 'attachPolicy', 'attachThingPrincipal', 'addToGroups'])
      expect(w.el(`run-step-${step}`).dataset.status, step).toBe('done')
    const runId = useProvisioningStore().run.runId
    expect(progress.filter((p) => p.runId === runId && p.phase === 'step' && p.status === 'started').length).toBeGreaterThanOrEqual(7)

    const iot = await t.session.iotClient({ kind: 'local' })
    const thing = await iot.send(new DescribeThingCommand({ thingName: 'lamp-csr' }))
    expect(thing.attributes).toEqual({ floor: '3' })

    await w.click('done-export')
    const exported = await app.waitFor(() => w.has('done-export-result') && w.el('done-export-result'), 'the exported bundle')
    expect(exported.textContent).toContain('lamp-csr')
    expect(exported.querySelectorAll('li').length).toBeGreaterThanOrEqual(3)
  })

  it('Done says the thing is gone once it is deprovisioned, and Export explains instead of failing raw', async () => {
    app = await mountApp(t.api)
    const w = wizardDriver(app)
    await w.type('wizard-thing-name', 'lamp-gone')
    for (const step of ['wizard-step-identity', 'wizard-step-policy', 'wizard-step-groups', 'wizard-step-review']) await w.next(step)
    await app.waitFor(() => !w.isDisabled('wizard-run'), 'the preview')
    await w.click('wizard-run')
    await app.waitFor(() => w.has('wizard-step-done'), 'lamp-gone provisioned', 60_000)
    expect(w.has('done-provisioned')).toBe(true)

    // Deprovisioned elsewhere (Things, the CLI) while the Done page is open.
    await t.api.call('things.deprovision', { thingName: 'lamp-gone', deletePolicy: false, dryRun: false })
    await w.click('done-export')
    await app.waitFor(() => !useProvisioningStore().exporting && w.has('done-thing-gone'), 'the thing reported gone')
    expect(w.has('done-provisioned')).toBe(false)
    expect(w.el('wizard-step-done').textContent).toContain('lamp-gone is no longer in the registry (it was deprovisioned since this run)')
    expect(w.el('wizard-step-done').textContent).not.toContain('ResourceNotFoundException')
    expect(w.has('done-export-result')).toBe(false)

    // Coming back to the page later: it looks again rather than showing what it knew.
    await app.router.push('/things')
    await app.settle()
    useProvisioningStore().thingGone = false
    await app.router.push('/provision')
    await app.waitFor(() => w.has('done-thing-gone'), 'the re-check on view')
  })

  it('shows a failed run with AWS’s error and the undo step by step; the next device keeps every choice', async () => {
    await t.api.call('groups.create', { groupName: 'line-2' })
    app = await mountApp(t.api)
    const w = wizardDriver(app)
    const store = useProvisioningStore()

    await w.type('wizard-thing-name', 'lamp-a')
    await w.click('wizard-add-attribute')
    await w.type('wizard-attribute-name-0', 'batch')
    await w.type('wizard-attribute-value-0', 'B7')
    await w.next('wizard-step-identity')
    await w.choose('identity-mode-aws')
    await w.next('wizard-step-policy')
    await w.next('wizard-step-groups')
    await w.clickTreeNode('groups-tree', 'line-2')
    await w.next('wizard-step-review')
    await app.waitFor(() => w.has('review-calls'), 'the planned calls')
    await w.click('wizard-run')
    await app.waitFor(() => w.has('wizard-step-done'), 'lamp-a provisioned', 60_000)

    // "Provision next device": the next name of the batch, every other choice as it was.
    await w.click('done-next')
    expect(w.has('wizard-step-device')).toBe(true)
    expect((w.el('wizard-thing-name') as HTMLInputElement).value).toBe('lamp-a-2')
    expect((w.el('wizard-attribute-name-0') as HTMLInputElement).value).toBe('batch')
    expect((w.el('wizard-attribute-value-0') as HTMLInputElement).value).toBe('B7')
    expect(store.draft.identity.mode).toBe('aws')
    expect(store.draft.policy).toMatchObject({ mode: 'template', template: 'shadow' })
    expect(store.draft.groups).toEqual(['line-2'])

    // The group goes while the batch still remembers it: the run fails at its write and is undone.
    const iot = await t.session.iotClient({ kind: 'local' })
    await iot.send(new DeleteThingGroupCommand({ thingGroupName: 'line-2' }))

    await w.type('wizard-thing-name', 'lamp-b')
    await w.next('wizard-step-identity')
    expect((w.el('identity-mode-aws').querySelector('input') as HTMLInputElement).checked).toBe(true)
    await w.next('wizard-step-policy')
    await w.next('wizard-step-groups')
    await w.next('wizard-step-review')
    await app.waitFor(() => w.has('review-calls'), 'the planned calls')
    await w.click('wizard-run')

    const outcome = await app.waitFor(() => w.has('run-outcome') && w.el('run-outcome'), 'the outcome', 60_000)
    expect(outcome.dataset.outcome).toBe('failed')
    expect(w.el('run-error').textContent).toMatch(/^ResourceNotFoundException: .*line-2/)
    expect(w.el('run-step-addToGroups').dataset.status).toBe('failed')
    expect(w.el('run-step-createThing').dataset.status).toBe('done')
    const undo = [...document.querySelectorAll<HTMLElement>('[data-testid="undo-action"]')]
    expect(undo.length).toBeGreaterThanOrEqual(3)
    expect(undo.every((a) => a.dataset.status === 'done')).toBe(true)
    expect(undo.map((a) => a.textContent).join('\n')).toMatch(/lamp-b/)
    await expect(iot.send(new DescribeThingCommand({ thingName: 'lamp-b' }))).rejects.toThrow(/lamp-b/)

    // Back to the review to fix the plan: the missing group is now reported there.
    await w.click('wizard-back')
    const problems = await app.waitFor(() => w.has('review-problems') && w.el('review-problems'), 'the review problems')
    expect(problems.textContent).toMatch(/line-2/)
    expect(w.isDisabled('wizard-run')).toBe(true)
  })

  it('cancels a running run: what was made is undone', async () => {
    app = await mountApp(t.api)
    const w = wizardDriver(app)
    await w.type('wizard-thing-name', 'lamp-cancelled')
    await w.next('wizard-step-identity')
    await w.choose('identity-key-rsa3072') // slow enough to cancel while the key is made
    await w.next('wizard-step-policy')
    await w.next('wizard-step-groups')
    await w.next('wizard-step-review')
    await app.waitFor(() => w.has('review-calls'), 'the planned calls')
    await w.click('wizard-run')
    await app.waitFor(() => w.has('run-cancel') && w.el('run-step-generateKey').dataset.status === 'started', 'the key being made')
    await w.click('run-cancel')

    const outcome = await app.waitFor(() => w.has('run-outcome') && w.el('run-outcome'), 'the outcome', 60_000)
    expect(outcome.dataset.outcome).toBe('failed')
    expect(outcome.textContent).toContain('The run was cancelled')
    expect(w.el('run-error').textContent).toMatch(/^AbortError: /)
    expect(w.has('run-cancel')).toBe(false)
    const iot = await t.session.iotClient({ kind: 'local' })
    await expect(iot.send(new DescribeThingCommand({ thingName: 'lamp-cancelled' }))).rejects.toThrow(/lamp-cancelled/)
  })
})
