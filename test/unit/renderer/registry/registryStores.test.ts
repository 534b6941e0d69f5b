// @vitest-environment happy-dom
import { CreatePolicyCommand, CreatePolicyVersionCommand, CreateThingCommand, type IoTClient } from '@aws-sdk/client-iot'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { watch } from 'vue'
import { ApiError } from '../../../../electron/contract/bridge'
import { describeError } from '../../../../renderer/src/components/describeError'
import { useCertificatesStore } from '../../../../renderer/src/stores/useCertificatesStore'
import { useGroupsStore } from '../../../../renderer/src/stores/useGroupsStore'
import { usePoliciesStore } from '../../../../renderer/src/stores/usePoliciesStore'
import { useThingsStore } from '../../../../renderer/src/stores/useThingsStore'
import { useThingTypesStore } from '../../../../renderer/src/stores/useThingTypesStore'
import { attributeChanges } from '../../../../renderer/src/views/registry/things/attributeEdit'
import { startTestApi, type TestApi } from '../../../support/apiBackend'
import { freshPinia } from './registryApp'

// The registry stores against the real back end and the Local IoT Core, a fresh Pinia per test.
let t: TestApi
let iot: IoTClient
const fleetSize = 520 // three pages of 250

beforeAll(async () => {
  t = await startTestApi()
  iot = await t.session.iotClient({ kind: 'local' })
  // Made straight through the SDK: the contract has no CreateThing, and the wizard is not under test.
  const names = Array.from({ length: fleetSize }, (_, i) => `fleet-${String(i).padStart(3, '0')}`)
  for (let i = 0; i < names.length; i += 40)
    await Promise.all(
      names.slice(i, i + 40).map((thingName, j) =>
        iot.send(new CreateThingCommand({ thingName, attributePayload: { attributes: { floor: String((i + j) % 3) } } }))
      )
    )
}, 120_000)
afterAll(async () => {
  await t?.close()
})
beforeEach(() => {
  freshPinia(t.api)
})

async function provisioned(thingName: string, plan: Record<string, unknown> = {}) {
  const outcome = await t.api.call('provisioning.run', { plan: { thingName, ...plan } })
  if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
  return outcome.result
}

describe('the things store', () => {
  it('loads every page of things, counting as pages arrive, then filters them', async () => {
    const store = useThingsStore()
    const counts: number[] = []
    watch(() => store.loadedCount, (n) => counts.push(n))
    await store.load()
    expect(store.loading).toBe(false)
    expect(store.error).toBeNull()
    expect(store.things.filter((x) => x.thingName.startsWith('fleet-'))).toHaveLength(fleetSize)
    expect(counts.slice(0, 3)).toEqual([250, 500, store.things.length])
    expect(store.partial).toBe(false)

    store.criteria.search = 'FLEET-5'
    expect(store.filtered.map((x) => x.thingName)).toEqual(Array.from({ length: 20 }, (_, i) => `fleet-${500 + i}`))
    Object.assign(store.criteria, { search: 'fleet-0', attributeName: 'floor', attributeValue: '2' })
    expect(store.filtered).toHaveLength(Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 3 === 2).length)
  })

  it('stops paging on Cancel and keeps the pages it has', async () => {
    const store = useThingsStore()
    const stop = watch(
      () => store.loadedCount,
      (n) => {
        if (n > 0) store.cancelLoad()
      }
    )
    await store.load()
    stop()
    expect(store.loading).toBe(false)
    expect(store.partial).toBe(true)
    expect(store.things).toHaveLength(250)
  })

  it('filters by group members from groups.describe', async () => {
    await t.api.call('groups.create', { groupName: 'shelf' })
    await provisioned('grouped-1', { groups: ['shelf'], policy: { mode: 'none' } })
    const store = useThingsStore()
    await store.load()
    await store.filterByGroup('shelf')
    expect(store.filtered.map((x) => x.thingName)).toEqual(['grouped-1'])
    await store.filterByGroup(null)
    expect(store.filtered.length).toBe(store.things.length)
  })

  it('filtering by a parent group keeps the things in its child groups', async () => {
    await t.api.call('groups.create', { groupName: 'warehouse' })
    await t.api.call('groups.create', { groupName: 'aisle-3', parentGroupName: 'warehouse' })
    await provisioned('aisle-lamp', { groups: ['aisle-3'], policy: { mode: 'none' } })
    const store = useThingsStore()
    await store.load()
    await store.filterByGroup('warehouse')
    expect(store.filtered.map((x) => x.thingName)).toEqual(['aisle-lamp'])
  })

  it('saves attribute edits with AWS merge semantics, and they survive a reload', async () => {
    await iot.send(new CreateThingCommand({ thingName: 'edit-me', attributePayload: { attributes: { serial: 'SN-1', color: 'red' } } }))
    const store = useThingsStore()
    await store.open('edit-me')
    const original = store.details!.attributes
    const changes = attributeChanges(original, [
      { name: 'serial', value: 'SN-2' },
      { name: 'room', value: '12' }
    ])
    expect(changes).toEqual({ serial: 'SN-2', room: '12', color: null })
    expect(await store.updateAttributes('edit-me', changes)).toBe(true)
    expect(store.details!.attributes).toEqual({ serial: 'SN-2', room: '12' })

    await store.load()
    expect(store.things.find((x) => x.thingName === 'edit-me')?.attributes).toEqual({ serial: 'SN-2', room: '12' })
    expect((await t.api.call('things.describe', { thingName: 'edit-me' })).attributes).toEqual({ serial: 'SN-2', room: '12' })
  })

  it('refuses a bad attribute with the error name and changes nothing', async () => {
    const store = useThingsStore()
    await store.open('edit-me')
    const before = store.details!.attributes
    expect(await store.updateAttributes('edit-me', { 'bad name': 'x' })).toBe(false)
    expect(describeError(store.detailsError)).toMatch(/^InvalidArguments: .*bad name/)
    expect((await t.api.call('things.describe', { thingName: 'edit-me' })).attributes).toEqual(before)
  })

  it('shows a missing thing as ResourceNotFoundException', async () => {
    const store = useThingsStore()
    await store.open('no-such-thing')
    expect(store.details).toBeNull()
    expect(store.detailsError).toBeInstanceOf(ApiError)
    expect(describeError(store.detailsError)).toMatch(/^ResourceNotFoundException: /)
  })

  it('lists the deprovisioning calls in a dry run, then makes them and drops the row', async () => {
    const result = await provisioned('retire-me', { policy: { mode: 'template', template: 'shadow', policyName: 'retire-me-policy' } })
    const store = useThingsStore()
    await store.load()
    await store.open('retire-me')
    expect(store.details!.principals).toEqual([expect.objectContaining({ certificateId: result.certificateId, status: 'ACTIVE', keyInVault: true })])

    const dryRun = await store.planDeprovision('retire-me', true)
    const operations = dryRun!.calls.map((c) => c.operation)
    expect(operations).toEqual(expect.arrayContaining(['DetachThingPrincipal', 'UpdateCertificate', 'DeleteCertificate', 'DeletePolicy', 'DeleteThing']))
    expect(operations.at(-1)).toBe('DeleteThing')
    expect(dryRun!.done).toBe(false)
    // A dry run changes nothing.
    expect((await t.api.call('things.describe', { thingName: 'retire-me' })).principals).toHaveLength(1)

    const done = await store.deprovision('retire-me', true)
    expect(done).toMatchObject({ done: true })
    expect(store.things.some((x) => x.thingName === 'retire-me')).toBe(false)
    expect(store.details).toBeNull()
    await expect(t.api.call('things.describe', { thingName: 'retire-me' })).rejects.toMatchObject({ errorName: 'ResourceNotFoundException' })
    await expect(t.api.call('policies.describe', { policyName: 'retire-me-policy' })).rejects.toMatchObject({ errorName: 'ResourceNotFoundException' })
  })
})

describe('the certificates store', () => {
  it('changes a certificate status and refuses to bring back a revoked one', async () => {
    const { certificateId } = await provisioned('cert-owner', { policy: { mode: 'none' } })
    const store = useCertificatesStore()
    await store.load()
    expect(store.certificates.find((c) => c.certificateId === certificateId)?.status).toBe('ACTIVE')
    await store.select(certificateId)
    expect(store.selected).toMatchObject({ certificateId, status: 'ACTIVE', things: ['cert-owner'], keyInVault: true })
    expect(Date.parse(store.selected!.notAfter!)).toBeGreaterThan(Date.now())

    expect(await store.setStatus(certificateId, 'INACTIVE')).toBe(true)
    expect(store.selected!.status).toBe('INACTIVE')
    expect(store.certificates.find((c) => c.certificateId === certificateId)?.status).toBe('INACTIVE')
    expect((await t.api.call('certificates.describe', { certificateId })).status).toBe('INACTIVE')

    expect(await store.setStatus(certificateId, 'REVOKED')).toBe(true)
    expect(await store.setStatus(certificateId, 'ACTIVE')).toBe(false)
    expect(describeError(store.selectedError)).toMatch(/^CertificateStateException: /)
    expect((await t.api.call('certificates.describe', { certificateId })).status).toBe('REVOKED')
  })
})

describe('the thing types store', () => {
  it('creates a type, deprecates it and undoes that', async () => {
    const store = useThingTypesStore()
    await store.load()
    expect(await store.create('Lamp', 'Desk lamps', ['serial', 'room'])).toBe(true)
    expect(store.thingTypes.find((x) => x.thingTypeName === 'Lamp')).toMatchObject({ description: 'Desk lamps', searchableAttributes: ['serial', 'room'], deprecated: false })

    expect(await store.setDeprecated('Lamp', true)).toBe(true)
    expect(store.thingTypes.find((x) => x.thingTypeName === 'Lamp')?.deprecated).toBe(true)
    await store.load()
    expect(store.thingTypes.find((x) => x.thingTypeName === 'Lamp')?.deprecated).toBe(true)

    expect(await store.setDeprecated('Lamp', false)).toBe(true)
    expect(store.thingTypes.find((x) => x.thingTypeName === 'Lamp')?.deprecated).toBe(false)

    expect(await store.create('Lamp', '', [])).toBe(false)
    expect(describeError(store.createError)).toMatch(/^ResourceAlreadyExistsException: /)
  })
})

describe('the groups store', () => {
  it('creates a group under a parent and shows it in the tree', async () => {
    const store = useGroupsStore()
    expect(await store.create('building', undefined, 'HQ')).toBe(true)
    expect(await store.create('lab', 'building')).toBe(true)
    expect(store.hierarchy.find((n) => n.groupName === 'building')?.children.map((n) => n.groupName)).toEqual(['lab'])
    await store.select('lab')
    expect(store.selected).toMatchObject({ groupName: 'lab', parentGroupName: 'building', things: [], policies: [] })

    expect(await store.create('stray', 'no-such-parent')).toBe(false)
    expect(describeError(store.createError)).toMatch(/^ResourceNotFoundException: /)
  })
})

describe('the policies store', () => {
  it('shows versions, reads documents and sets the default version', async () => {
    const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] })
    await iot.send(new CreatePolicyCommand({ policyName: 'versioned', policyDocument: doc('iot:Connect') }))
    await iot.send(new CreatePolicyVersionCommand({ policyName: 'versioned', policyDocument: doc('iot:Publish'), setAsDefault: false }))
    const store = usePoliciesStore()
    await store.load()
    expect(store.policies.map((p) => p.policyName)).toContain('versioned')
    await store.select('versioned')
    expect(store.selected).toMatchObject({ defaultVersionId: '1' })
    expect(store.selected!.versions.map((v) => [v.versionId, v.isDefaultVersion]).sort()).toEqual([
      ['1', true],
      ['2', false]
    ])
    expect(JSON.parse((await store.versionDocument('versioned', '2')).document).Statement[0].Action).toBe('iot:Publish')

    expect(await store.setDefaultVersion('versioned', '2')).toBe(true)
    expect(store.selected!.defaultVersionId).toBe('2')
    expect((await store.versionDocument('versioned', '2')).isDefaultVersion).toBe(true)
  })
})
