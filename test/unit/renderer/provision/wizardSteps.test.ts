// @vitest-environment happy-dom
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ApiClient } from '../../../../electron/contract/bridge'
import { useProvisioningStore } from '../../../../renderer/src/stores/useProvisioningStore'
import { makeDeviceCertificate, makeDeviceCertificateWithKey } from '../../../integration/provisioning/support/deviceCertificate'
import { startTestApi, type TestApi } from '../../../support/apiBackend'
import { mountApp, type MountedApp } from '../shell/mountApp'
import { wizardDriver } from './wizardDriver'

// The wizard's steps one at a time: AWS's rules as the user types, the existing-certificate
// path, and the policy editor — against the real back end.
let t: TestApi
let app: MountedApp | undefined
/** Every method the UI called, in order: the real client, watched. */
let called: string[] = []

function watched(api: ApiClient): ApiClient {
  return {
    call: (method, args) => {
      called.push(method)
      return api.call(method, args)
    },
    on: (event, listener) => api.on(event, listener)
  }
}

beforeAll(async () => {
  t = await startTestApi()
})
afterAll(async () => {
  await t?.close()
})
afterEach(() => {
  app?.unmount()
  app = undefined
  called = []
})

async function openWizard() {
  app = await mountApp(watched(t.api))
  return wizardDriver(app)
}

describe('Device step', () => {
  it('refuses `bad name!` as it is typed, before any provisioning call', async () => {
    const w = await openWizard()
    expect(w.isDisabled('wizard-next')).toBe(true) // no name yet
    expect(w.has('wizard-thing-name-error')).toBe(false) // and no scolding before typing

    await w.type('wizard-thing-name', 'bad name!')
    expect(w.el('wizard-thing-name-error').textContent).toBe('Thing name may contain only letters, digits, ":", "_" and "-"')
    expect(w.isDisabled('wizard-next')).toBe(true)
    await w.click('wizard-next')
    expect(w.has('wizard-step-device')).toBe(true)
    expect(called.filter((m) => m.startsWith('provisioning.'))).toEqual([])

    await w.type('wizard-thing-name', 'x'.repeat(129))
    expect(w.el('wizard-thing-name-error').textContent).toBe('Thing name must be at most 128 characters')
    await w.type('wizard-thing-name', '')
    expect(w.el('wizard-thing-name-error').textContent).toBe('Thing name is required')

    await w.type('wizard-thing-name', 'lamp-0042')
    expect(w.has('wizard-thing-name-error')).toBe(false)
    expect(w.isDisabled('wizard-next')).toBe(false)
  })

  it('checks attribute names, values and the count allowed without a thing type', async () => {
    const w = await openWizard()
    await w.type('wizard-thing-name', 'lamp-1')
    await w.click('wizard-add-attribute')
    await w.type('wizard-attribute-name-0', 'bad name')
    expect(w.el('wizard-step-device').textContent).toContain('Attribute name may contain only letters, digits and "_.,@/:#-"')
    expect(w.isDisabled('wizard-next')).toBe(true)
    await w.type('wizard-attribute-name-0', 'floor')
    await w.type('wizard-attribute-value-0', 'three floors')
    expect(w.el('wizard-step-device').textContent).toContain('Attribute value may contain only')
    await w.type('wizard-attribute-value-0', '3')
    expect(w.isDisabled('wizard-next')).toBe(false)

    for (const [i, name] of ['room', 'line', 'shift'].entries()) {
      await w.click('wizard-add-attribute')
      await w.type(`wizard-attribute-name-${i + 1}`, name)
      await w.type(`wizard-attribute-value-${i + 1}`, 'a')
    }
    expect(w.el('wizard-step-device').textContent).toContain('A thing without a type can have at most 3 attributes; choose a thing type to allow up to 50')
    expect(w.isDisabled('wizard-next')).toBe(true)
  })

  it('says a thing name already exists, with its certificates and groups, and goes on only when adding a certificate is chosen', async () => {
    await t.api.call('groups.create', { groupName: 'hall-9' })
    const first = await t.api.call('provisioning.run', { plan: { thingName: 'lamp-taken', groups: ['hall-9'] }, runId: crypto.randomUUID() })
    if (first.outcome !== 'provisioned') throw new Error('setup run failed')
    const w = await openWizard()
    await w.type('wizard-thing-name', 'lamp-taken')
    const notice = w.el('wizard-thing-exists')
    expect(notice.textContent).toContain('Thing lamp-taken already exists')
    expect(w.el('wizard-thing-exists-certificates').textContent).toContain(`${first.result.certificateId.slice(0, 12)}… ACTIVE`)
    expect(w.el('wizard-thing-exists-groups').textContent).toContain('Groups: hall-9')
    expect(w.isDisabled('wizard-next')).toBe(true)

    await w.click('wizard-add-certificate')
    expect(useProvisioningStore().plan.addCertificateToExistingThing).toBe(true)
    expect(w.isDisabled('wizard-next')).toBe(false)

    // Another name: the choice does not carry over to a different thing.
    await w.type('wizard-thing-name', 'lamp-free')
    expect(w.has('wizard-thing-exists')).toBe(false)
    expect(useProvisioningStore().plan.addCertificateToExistingThing).toBe(false)
    expect(w.isDisabled('wizard-next')).toBe(false)
  })
})

describe('Identity step: an existing certificate', () => {
  it('shows what the certificate is, or why it cannot be used; the next device needs its own', async () => {
    const w = await openWizard()
    const store = useProvisioningStore()
    await w.type('wizard-thing-name', 'sensor-7')
    await w.next('wizard-step-identity')
    await w.choose('identity-mode-existing')
    expect(w.isDisabled('wizard-next')).toBe(true)

    const chooseFile = async (name: string, text: string) => {
      const input = w.el('identity-certificate-file') as HTMLInputElement
      Object.defineProperty(input, 'files', { configurable: true, value: [new File([text], name, { type: 'application/x-pem-file' })] })
      input.dispatchEvent(new Event('change', { bubbles: true }))
      await app!.waitFor(
        () => store.draft.identity.certificateSource === name && w.has('identity-certificate-info') && w.el('identity-certificate-info').dataset.state !== 'reading',
        `${name} read`
      )
    }

    await chooseFile('notes.txt', 'not a certificate')
    expect(w.el('identity-certificate-info').dataset.state).toBe('invalid')
    expect(w.el('identity-certificate-info').textContent).toContain('notes.txt is not a certificate ThingBench can register')
    expect(w.el('identity-certificate-info').textContent).toContain('InvalidCertificateFile: notes.txt holds no PEM certificate')
    expect(w.isDisabled('wizard-next')).toBe(true)

    await chooseFile('device.pem', await makeDeviceCertificate({ commonName: 'sensor-7-factory' }))
    const info = w.el('identity-certificate-info')
    expect(info.dataset.state).toBe('valid')
    expect(info.textContent).toContain('CN=sensor-7-factory')
    expect(info.textContent).toMatch(/[0-9a-f]{64}/)
    expect(w.isDisabled('wizard-next')).toBe(false)
    expect(w.has('identity-private-key')).toBe(false)

    // A file with the certificate's key: only the certificate comes back, the key is offered for the vault.
    const device = await makeDeviceCertificateWithKey({ commonName: 'sensor-7-keyed' })
    await chooseFile('keyed.pem', `${device.privateKeyPem}${device.certificatePem}`)
    expect(w.el('identity-certificate-info').dataset.state).toBe('valid')
    expect(w.el('identity-private-key').textContent).toContain("This file also holds the certificate's private key")
    expect(store.draft.identity.certificatePem).not.toMatch(/PRIVATE KEY/)
    expect(store.plan.certificate).toMatchObject({ mode: 'existing', keepPrivateKey: false })
    await w.click('identity-keep-private-key')
    expect(store.plan.certificate).toMatchObject({ mode: 'existing', keepPrivateKey: true })

    store.provisionNext()
    await app!.settle()
    expect(store.draft.identity).toMatchObject({ mode: 'existing', certificatePem: '', holdsPrivateKey: false, keepPrivateKey: false })
    expect(store.certificateInfo).toBeNull()
  })
})

describe('Policy step', () => {
  it('previews a template, lists existing policies, and checks a written document as it changes', async () => {
    const w = await openWizard()
    const store = useProvisioningStore()
    await w.type('wizard-thing-name', 'lamp-9')
    await w.next('wizard-step-identity')
    await w.next('wizard-step-policy')

    await app!.waitFor(() => w.el('policy-template-preview').textContent?.includes('"Version"'), 'the shadow template')
    await w.choose('policy-template-shadow-jobs')
    await app!.waitFor(() => w.el('policy-template-preview').textContent?.includes('jobs'), 'the shadow-jobs template')

    await w.choose('policy-mode-document')
    // CodeMirror arrives with the document step, not before.
    const editor = await app!.waitFor(() => w.has('policy-editor') && w.el('policy-editor').querySelector('.cm-content'), 'the policy editor')
    expect(editor.getAttribute('contenteditable')).toBe('true')
    expect(editor.getAttribute('aria-label')).toBe('Policy document')
    expect(editor.textContent).toContain('iot:Connect')
    expect(w.isDisabled('wizard-next')).toBe(true) // no policy name yet

    await w.type('policy-name', 'lamp policy')
    expect(w.el('wizard-step-policy').textContent).toContain('Policy name may contain only')
    await w.type('policy-name', 'lamp-policy')
    await app!.waitFor(() => !w.isDisabled('wizard-next'), 'the starter document accepted')

    store.draft.policy.document = '{ "Version": "2012-10-17", '
    const problem = await app!.waitFor(() => w.has('policy-problem') && w.el('policy-problem'), 'the JSON problem')
    expect(problem.textContent).toMatch(/not valid JSON \(MalformedPolicyException\).*line 1/)
    expect(w.isDisabled('wizard-next')).toBe(true)
    expect(w.el('policy-editor').textContent).toContain('"Version": "2012-10-17"')

    store.draft.policy.document = JSON.stringify({ Version: '2012-10-17' })
    await app!.waitFor(() => w.has('policy-problem') && w.el('policy-problem').textContent?.includes('no "Statement"'), 'AWS’s rules applied')
    expect(called).toContain('policies.checkDocument')
    expect(w.isDisabled('wizard-next')).toBe(true)

    store.draft.policy.document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] })
    await app!.waitFor(() => !w.has('policy-problem') && !w.isDisabled('wizard-next'), 'the document accepted')
    expect(store.plan.policy).toMatchObject({ mode: 'document', policyName: 'lamp-policy' })

    await w.choose('policy-mode-existing')
    expect(called).toContain('policies.list')
    expect(w.isDisabled('wizard-next')).toBe(true) // none chosen
  })
})
