// @vitest-environment happy-dom
import { readdir } from 'node:fs/promises'
import { CreateThingCommand } from '@aws-sdk/client-iot'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { NMessageProvider, useMessage, type MessageApi } from 'naive-ui'
import { defineComponent, h, type Component } from 'vue'
import { apiPlugin } from '../../../../renderer/src/api/useApi'
import CertificatesView from '../../../../renderer/src/views/registry/CertificatesView.vue'
import GroupsView from '../../../../renderer/src/views/registry/GroupsView.vue'
import ThingsView from '../../../../renderer/src/views/registry/ThingsView.vue'
import ThingTypesView from '../../../../renderer/src/views/registry/ThingTypesView.vue'
import { startTestApi, type TestApi } from '../../../support/apiBackend'
import { until } from '../../../support/until'

// The registry views as a user meets them, on the real back end and the Local IoT Core.
let t: TestApi
const mounted: VueWrapper[] = []
/** Each mounted view's toasts: dismissed before unmounting, so no toast's timer outlives the page. */
const toasts: MessageApi[] = []

beforeAll(async () => {
  t = await startTestApi()
  const iot = await t.session.iotClient({ kind: 'local' })
  for (const [thingName, floor] of [['desk-lamp-1', '1'], ['desk-lamp-2', '2'], ['hall-sensor', '2']] as const)
    await iot.send(new CreateThingCommand({ thingName, attributePayload: { attributes: { floor } } }))
}, 60_000)
afterAll(async () => {
  await t?.close()
})
afterEach(() => {
  for (const messages of toasts.splice(0)) messages.destroyAll()
  for (const wrapper of mounted.splice(0)) wrapper.unmount()
  document.body.innerHTML = ''
})

/** The view inside the message provider the app's shell gives it (the registry's toasts). */
function show(view: Component): VueWrapper {
  const keepToasts = defineComponent({
    setup(_, { slots }) {
      toasts.push(useMessage())
      return () => slots.default?.()
    }
  })
  const host = defineComponent({
    render: () => h(NMessageProvider, null, { default: () => h(keepToasts, null, { default: () => h(view) }) })
  })
  const wrapper = mount(host, { attachTo: document.body, global: { plugins: [createPinia(), apiPlugin(t.api)] } })
  mounted.push(wrapper)
  return wrapper
}

/** Waits for what the user would wait for: the back end answers, the page updates. */
/** Lets Vue render what the store changed before each look. */
const untilFlushed = <T>(read: () => T | null | undefined | false, what: string, timeoutMs?: number): Promise<T> =>
  until(async () => {
    await flushPromises()
    return read()
  }, what, timeoutMs)

const byTestId = (id: string) => document.body.querySelector<HTMLElement>(`[data-testid="${id}"]`)
const text = (id: string) => byTestId(id)?.textContent?.trim() ?? ''
async function type(id: string, value: string): Promise<void> {
  const input = byTestId(id) as HTMLInputElement
  input.value = value
  input.dispatchEvent(new Event('input'))
  await flushPromises()
}
async function click(element: HTMLElement | null): Promise<void> {
  if (!element) throw new Error('nothing to click')
  element.click()
  await flushPromises()
}

describe('the Things view', () => {
  it('counts the things and narrows them as the user types a name or an attribute', async () => {
    show(ThingsView)
    await untilFlushed(() => text('things-count') === '3 things', 'three things')
    await type('things-search', 'LAMP')
    expect(text('things-count')).toBe('2 things')
    await type('things-filter-attribute', 'floor=2')
    expect(text('things-count')).toBe('1 thing')
    await type('things-search', '')
    expect(text('things-count')).toBe('2 things')
  })

  it('keeps several attribute filters at once, every one of which must match', async () => {
    show(ThingsView)
    await untilFlushed(() => text('things-count') === '3 things', 'three things')
    await type('things-filter-attribute', 'floor=2')
    byTestId('things-filter-attribute')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await flushPromises()
    expect(text('things-attribute-filter-0')).toBe('floor=2')
    expect((byTestId('things-filter-attribute') as HTMLInputElement).value).toBe('')
    expect(text('things-count')).toBe('2 things')
    // A second filter narrows the first: the box counts while typed, and Add keeps it.
    await type('things-filter-attribute', 'floor=1')
    expect(text('things-count')).toBe('0 things')
    expect(text('things-empty')).toMatch(/No thing matches these filters/)
    await type('things-filter-attribute', '')
    await click(byTestId('things-attribute-filter-0')!.querySelector<HTMLElement>('.n-tag__close'))
    expect(text('things-count')).toBe('3 things')
    expect(byTestId('things-attribute-filters')).toBeNull()
  })

  it("shows a certificate's id with a copy button and exports the thing's bundle again from the drawer", async () => {
    const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'bundle-lamp', policy: { mode: 'none' } } })
    if (outcome.outcome !== 'provisioned') throw new Error(outcome.outcome)
    show(ThingsView)
    await untilFlushed(() => text('things-count') === '4 things', 'four things')
    await type('things-search', 'bundle-lamp')
    await click(await untilFlushed(() => [...document.querySelectorAll('[data-testid="things-table"] td')].find((td) => td.textContent?.trim() === 'bundle-lamp')?.closest('tr'), 'the row'))
    const id = await untilFlushed(() => byTestId('thing-certificate-id'), 'the certificate id')
    expect(id.getAttribute('title')).toBe(outcome.result.certificateId)
    expect(document.querySelector(`[aria-label="Copy id: ${outcome.result.certificateId}"]`)).not.toBeNull()

    await click(byTestId('thing-export-bundle'))
    const exported = await untilFlushed(() => byTestId('thing-exported'), 'the exported notice')
    const folder = exported.querySelector('code')!.textContent!
    expect(folder.startsWith(t.home)).toBe(true)
    expect((await readdir(folder)).sort().join(' ')).toMatch(/private\.pem\.key/)
    await t.api.call('things.deprovision', { thingName: 'bundle-lamp', dryRun: false })
  })

  it('edits attributes in the details drawer, checking each as typed, and saves them', async () => {
    show(ThingsView)
    await untilFlushed(() => text('things-count') === '3 things', 'three things')
    await type('things-search', 'hall-sensor')
    await click(await untilFlushed(() => [...document.querySelectorAll('[data-testid="things-table"] td')].find((td) => td.textContent?.trim() === 'hall-sensor')?.closest('tr'), 'the row'))
    await untilFlushed(() => byTestId('thing-attribute-value-0'), 'the attribute editor')
    const save = byTestId('thing-attributes-save') as HTMLButtonElement
    expect(save.disabled).toBe(true) // nothing changed yet

    await type('thing-attribute-value-0', 'floor two')
    expect(text('thing-attribute-problem-0')).toMatch(/Attribute value may contain only/)
    expect(save.disabled).toBe(true)

    await type('thing-attribute-value-0', '3')
    await click(byTestId('thing-attribute-add'))
    await type('thing-attribute-name-1', 'room')
    await type('thing-attribute-value-1', '12')
    await click(save)
    await untilFlushed(() => byTestId('thing-attributes-saved'), 'the saved notice')
    expect((await t.api.call('things.describe', { thingName: 'hall-sensor' })).attributes).toEqual({ floor: '3', room: '12' })
    expect(byTestId('things-table')?.textContent).toContain('floor=3, room=12')
  })

  it('opens a thing, shows the calls deprovisioning will make, and deprovisions it on confirmation', async () => {
    await t.api.call('provisioning.run', { plan: { thingName: 'doomed-lamp', policy: { mode: 'none' } } })
    show(ThingsView)
    await untilFlushed(() => text('things-count') === '4 things', 'four things')
    await type('things-search', 'doomed')
    const cell = await untilFlushed(() => [...document.querySelectorAll('[data-testid="things-table"] td')].find((td) => td.textContent?.trim() === 'doomed-lamp'), 'the row')
    await click(cell.closest('tr'))
    await untilFlushed(() => byTestId('thing-details')?.textContent?.includes('arn:'), 'the details')
    await click(await untilFlushed(() => byTestId('thing-deprovision'), 'the deprovision button'))
    const calls = await untilFlushed(() => byTestId('deprovision-calls'), 'the planned calls')
    expect(calls.textContent).toMatch(/DetachThingPrincipal.*DeleteCertificate.*DeleteThing/s)
    // Only a dry run so far.
    expect((await t.api.call('things.describe', { thingName: 'doomed-lamp' })).principals).toHaveLength(1)

    await click(byTestId('deprovision-confirm'))
    await untilFlushed(() => byTestId('thing-deprovisioned'), 'the confirmation')
    expect(text('things-count')).toBe('0 things')
    await expect(t.api.call('things.describe', { thingName: 'doomed-lamp' })).rejects.toMatchObject({ errorName: 'ResourceNotFoundException' })
  })
})

describe('the Thing types view', () => {
  it("checks AWS's name rules as the user types and creates nothing until they pass", async () => {
    show(ThingTypesView)
    await untilFlushed(() => byTestId('thing-types-list'), 'the list')
    await type('thing-type-name', 'bad name!')
    expect(text('thing-type-name-error')).toMatch(/Thing type name may contain only/)
    expect((byTestId('thing-type-create') as HTMLButtonElement).disabled).toBe(true)

    await type('thing-type-name', 'Kettle')
    expect(byTestId('thing-type-name-error')).toBeNull()
    await click(byTestId('thing-type-create'))
    await untilFlushed(() => byTestId('thing-types-list')?.textContent?.includes('Kettle'), 'the new type in the list')
    expect((await t.api.call('thingTypes.list', {})).map((x) => x.thingTypeName)).toContain('Kettle')

    await click(byTestId('thing-type-deprecate-Kettle'))
    await click(await untilFlushed(() => byTestId('thing-type-deprecate-confirm'), 'the confirmation dialog'))
    await untilFlushed(() => byTestId('thing-types-list')?.textContent?.includes('deprecated'), 'the deprecated flag')
    expect((await t.api.call('thingTypes.list', {})).find((x) => x.thingTypeName === 'Kettle')?.deprecated).toBe(true)
  })
})

describe('the Groups view', () => {
  it("shows a parent group's things in its child groups, apart from its own", async () => {
    await t.api.call('groups.create', { groupName: 'plant' })
    await t.api.call('groups.create', { groupName: 'line-2', parentGroupName: 'plant' })
    const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'line-2-press', groups: ['line-2'], policy: { mode: 'none' } } })
    if (outcome.outcome !== 'provisioned') throw new Error(outcome.outcome)
    show(GroupsView)
    const plant = await untilFlushed(
      () => [...document.body.querySelectorAll<HTMLElement>('.n-tree-node-content')].find((node) => node.textContent?.trim() === 'plant'),
      'the group in the tree'
    )
    await click(plant)
    await untilFlushed(() => byTestId('group-members-below'), "the things below the group")
    expect(text('group-members-below')).toBe('line-2-press')
    expect(text('group-members')).toMatch(/None: its things are in the groups below it/)
  })
})

describe('the Certificates view', () => {
  it('explains a status change before making it', async () => {
    const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'cert-lamp', policy: { mode: 'none' } } })
    if (outcome.outcome !== 'provisioned') throw new Error(outcome.outcome)
    const { certificateId } = outcome.result
    show(CertificatesView)
    const cell = await untilFlushed(() => [...document.querySelectorAll('[data-testid="certificates-list"] td')].find((td) => td.textContent?.includes(certificateId)), 'the row')
    await click(cell.closest('tr'))
    await untilFlushed(() => text('certificate-status') === 'ACTIVE', 'the details')
    expect(text('certificate-expiry')).toMatch(/^Expires in \d+ days/)

    await click(byTestId('certificate-status-REVOKED'))
    expect(text('certificate-status-effect')).toMatch(/can never be made active again/)
    await click(byTestId('certificate-status-cancel'))
    expect((await t.api.call('certificates.describe', { certificateId })).status).toBe('ACTIVE')

    await click(byTestId('certificate-status-INACTIVE'))
    await click(await untilFlushed(() => byTestId('certificate-status-confirm'), 'the confirmation dialog'))
    await untilFlushed(() => text('certificate-status') === 'INACTIVE', 'the new status')
    expect((await t.api.call('certificates.describe', { certificateId })).status).toBe('INACTIVE')
  })
})
