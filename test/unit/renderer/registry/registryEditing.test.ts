// @vitest-environment happy-dom
import { AttachThingPrincipalCommand, CreateThingCommand, GetPolicyCommand, type IoTClient } from '@aws-sdk/client-iot'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ApiError } from '../../../../electron/contract/bridge'
import { useCertificatesStore } from '../../../../renderer/src/stores/useCertificatesStore'
import { childGroupNames, useGroupsStore } from '../../../../renderer/src/stores/useGroupsStore'
import { oldestDeletableVersion, usePoliciesStore } from '../../../../renderer/src/stores/usePoliciesStore'
import { useThingTypesStore } from '../../../../renderer/src/stores/useThingTypesStore'
import { startTestApi, type TestApi } from '../../../support/apiBackend'
import { until } from '../../../support/until'
import { freshPinia } from './registryApp'

// Creating, changing and deleting from the registry stores, against the real back end and the
// Local IoT Core (the same grammar and refusals as AWS), a fresh Pinia per test.
let t: TestApi
let iot: IoTClient

const allow = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] })

beforeAll(async () => {
  t = await startTestApi()
  iot = await t.session.iotClient({ kind: 'local' })
  for (const thingName of ['press-1', 'press-2']) await iot.send(new CreateThingCommand({ thingName }))
}, 60_000)
afterAll(async () => {
  await t?.close()
})
beforeEach(() => {
  freshPinia(t.api)
})

describe('the policies store', () => {
  it('refuses a document AWS would refuse with its words, and creates nothing', async () => {
    const store = usePoliciesStore()
    const perhaps = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Perhaps', Action: 'iot:Connect', Resource: '*' }] })
    expect(await store.checkDocument(perhaps)).toMatch(/Effect/)
    expect(await store.create('perhaps-policy', perhaps)).toBe(false)
    expect(store.editError).toBeInstanceOf(ApiError)
    expect((store.editError as ApiError).errorName).toBe('MalformedPolicyException')
    await expect(iot.send(new GetPolicyCommand({ policyName: 'perhaps-policy' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' })
  })

  it('creates a policy, lists and selects it, then adds a version made the default', async () => {
    const store = usePoliciesStore()
    await store.load()
    expect(await store.create('lamp-policy', allow('iot:Connect'))).toBe(true)
    expect(store.policies.map((p) => p.policyName)).toContain('lamp-policy')
    expect(store.selected?.policyName).toBe('lamp-policy')
    expect(store.selected?.defaultVersionId).toBe('1')

    expect(await store.createVersion('lamp-policy', allow('iot:Publish'), { setAsDefault: true })).toBe(true)
    expect(store.selected?.defaultVersionId).toBe('2')
    expect((await store.versionDocument('lamp-policy', '2')).isDefaultVersion).toBe(true)
    // The cached flag of the old default was dropped with the change.
    expect((await store.versionDocument('lamp-policy', '1')).isDefaultVersion).toBe(false)
    expect((await iot.send(new GetPolicyCommand({ policyName: 'lamp-policy' }))).defaultVersionId).toBe('2')
  })

  it("hits AWS's five-version limit, then makes room by deleting the oldest version that is not the default", async () => {
    const store = usePoliciesStore()
    expect(await store.create('full-policy', allow('iot:Connect'))).toBe(true)
    for (const action of ['iot:Publish', 'iot:Subscribe', 'iot:Receive', 'iot:GetThingShadow'])
      expect(await store.createVersion('full-policy', allow(action), { setAsDefault: false })).toBe(true)
    expect(store.selected?.versions).toHaveLength(5)

    expect(await store.createVersion('full-policy', allow('iot:UpdateThingShadow'), { setAsDefault: false })).toBe(false)
    expect((store.editError as ApiError).errorName).toBe('VersionsLimitExceededException')

    // v1 is the default, so the oldest that may go is v2.
    expect(oldestDeletableVersion(store.selected!)).toBe('2')
    expect(await store.createVersion('full-policy', allow('iot:UpdateThingShadow'), { setAsDefault: true, deleteVersionFirst: '2' })).toBe(true)
    expect(store.selected?.versions.map((v) => v.versionId).sort()).toEqual(['1', '3', '4', '5', '6'])
    expect(store.selected?.defaultVersionId).toBe('6')
  })

  it('deletes a version but never the default one', async () => {
    const store = usePoliciesStore()
    await store.create('two-versions', allow('iot:Connect'))
    await store.createVersion('two-versions', allow('iot:Publish'), { setAsDefault: false })
    expect(await store.deleteVersion('two-versions', '1')).toBe(false)
    expect((store.editError as ApiError).errorName).toBe('DeleteConflictException')
    expect(await store.deleteVersion('two-versions', '2')).toBe(true)
    expect(store.selected?.versions.map((v) => v.versionId)).toEqual(['1'])
  })
})

describe('the groups store', () => {
  it("adds and removes members and attaches and detaches the group's policies", async () => {
    const store = useGroupsStore()
    await t.api.call('policies.create', { policyName: 'floor-policy', document: allow('iot:Connect') })
    expect(await store.create('floor-3')).toBe(true)
    await store.select('floor-3')

    expect(await store.addThing('floor-3', 'press-1')).toBe(true)
    expect(await store.addThing('floor-3', 'press-2')).toBe(true)
    expect(store.selected?.things.sort()).toEqual(['press-1', 'press-2'])
    expect(await store.removeThing('floor-3', 'press-1')).toBe(true)
    expect(store.selected?.things).toEqual(['press-2'])
    expect((await t.api.call('things.describe', { thingName: 'press-1' })).groups).toEqual([])

    expect(await store.attachPolicy('floor-3', 'floor-policy')).toBe(true)
    expect(store.selected?.policies).toEqual(['floor-policy'])
    expect((await t.api.call('policies.describe', { policyName: 'floor-policy' })).targets).toEqual([store.selected?.groupArn])
    expect(await store.detachPolicy('floor-3', 'floor-policy')).toBe(true)
    expect(store.selected?.policies).toEqual([])

    expect(await store.attachPolicy('floor-3', 'no-such-policy')).toBe(false)
    expect((store.changeError as ApiError).errorName).toBe('ResourceNotFoundException')
  })

  it('is refused deleting a group with child groups, says which, and deletes it once they are gone', async () => {
    const store = useGroupsStore()
    await store.create('site')
    await store.create('site-hall', 'site')
    expect(childGroupNames(store.groups, 'site')).toEqual(['site-hall'])

    expect(await store.remove('site')).toBe(false)
    expect((store.changeError as ApiError).errorName).toBe('InvalidRequestException')
    expect((store.changeError as ApiError).message).toMatch(/child groups/)
    expect(store.groups.map((g) => g.groupName)).toContain('site')

    expect(await store.remove('site-hall')).toBe(true)
    expect(await store.remove('site')).toBe(true)
    expect(store.groups.map((g) => g.groupName)).not.toContain('site')
    expect((await t.api.call('groups.list', {})).map((g) => g.groupName)).not.toContain('site')
    // A group already gone is said to be gone, not "deleted" again.
    expect(await store.remove('site')).toBe(false)
    expect((store.changeError as ApiError).errorName).toBe('ResourceNotFoundException')
  })
})

describe('the thing types store', () => {
  it('says a type must be deprecated first, then from when it can be deleted, and deletes nothing before', async () => {
    const store = useThingTypesStore()
    await store.create('old-kettle', '', [])
    expect(await store.remove('old-kettle')).toEqual({ deleted: false, reason: 'not-deprecated' })

    expect(await store.setDeprecated('old-kettle', true)).toBe(true)
    const deprecatedAt = Date.parse(store.thingTypes.find((x) => x.thingTypeName === 'old-kettle')!.deprecationDate!)
    const answer = await store.remove('old-kettle')
    expect(answer).toMatchObject({ deleted: false, reason: 'too-soon' })
    expect(answer && !answer.deleted && Date.parse(answer.deletableFrom!)).toBe(deprecatedAt + 5 * 60_000)
    expect(store.thingTypes.map((x) => x.thingTypeName)).toContain('old-kettle')
    expect((await t.api.call('thingTypes.list', {})).map((x) => x.thingTypeName)).toContain('old-kettle')
  })
})

describe('the certificates store', () => {
  it("fills the Thing column from ListPrincipalThings after the list, and keeps a certificate's things fresh when it is opened", async () => {
    const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'column-lamp', policy: { mode: 'none' } } })
    if (outcome.outcome !== 'provisioned') throw new Error(outcome.outcome)
    const store = useCertificatesStore()
    await store.load()
    const certificate = store.certificates.find((c) => c.certificateId === outcome.result.certificateId)!
    await until(() => store.thingNames.get(certificate.certificateArn), 'the Thing column')
    expect(store.thingNames.get(certificate.certificateArn)).toEqual(['column-lamp'])
    expect(store.thingNamesError).toBeNull()

    // Attached elsewhere meanwhile: opening the certificate brings the column up to date.
    await iot.send(new AttachThingPrincipalCommand({ thingName: 'press-1', principal: certificate.certificateArn }))
    await store.select(certificate.certificateId)
    expect(store.thingNames.get(certificate.certificateArn)?.sort()).toEqual(['column-lamp', 'press-1'])
  })
})
