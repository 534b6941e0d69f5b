import { CreatePolicyCommand, CreatePolicyVersionCommand, CreateThingCommand, AttachPolicyCommand, type IoTClient } from '@aws-sdk/client-iot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../../../electron/contract'
import { startTestApi, type TestApi } from '../../support/apiBackend'
import { makeDeviceCertificate } from '../provisioning/support/deviceCertificate'

let t: TestApi
let iot: IoTClient
beforeAll(async () => {
  t = await startTestApi()
  iot = await t.session.iotClient({ kind: 'local' })
})
afterAll(async () => {
  await t?.close()
})

const failure = (call: Promise<unknown>) => call.then(() => { throw new Error('expected the call to fail') }, (e: unknown) => e as ApiError)
const allow = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] })

async function provisioned(thingName: string, extra: Record<string, unknown> = {}) {
  const outcome = await t.api.call('provisioning.run', { plan: { thingName, ...extra } })
  if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
  return outcome.result
}

describe('thing types', () => {
  it('creates, lists, deprecates and undeprecates a type', async () => {
    const created = await t.api.call('thingTypes.create', { thingTypeName: 'Lamp', description: 'Desk lamps', searchableAttributes: ['serial'] })
    expect(created).toMatchObject({ thingTypeName: 'Lamp', description: 'Desk lamps', searchableAttributes: ['serial'], deprecated: false })
    const deprecated = await t.api.call('thingTypes.deprecate', { thingTypeName: 'Lamp' })
    expect(deprecated.deprecated).toBe(true)
    expect(new Date(deprecated.deprecationDate!).getTime()).toBeGreaterThan(0)
    expect((await t.api.call('thingTypes.list', {})).find((x) => x.thingTypeName === 'Lamp')?.deprecated).toBe(true)
    expect(await t.api.call('thingTypes.deprecate', { thingTypeName: 'Lamp', undo: true })).toMatchObject({ deprecated: false })
    expect(await failure(t.api.call('thingTypes.create', { thingTypeName: 'Lamp' }))).toMatchObject({ errorName: 'ResourceAlreadyExistsException' })
  })
})

describe('groups', () => {
  it('creates a hierarchy and lists every group with its parent', async () => {
    await t.api.call('groups.create', { groupName: 'site', description: 'The whole site' })
    expect(await t.api.call('groups.create', { groupName: 'floor-1', parentGroupName: 'site' })).toMatchObject({ groupName: 'floor-1', parentGroupName: 'site' })
    const groups = await t.api.call('groups.list', {})
    expect(groups.map(({ groupName, parentGroupName }) => ({ groupName, parentGroupName })).sort((a, b) => a.groupName.localeCompare(b.groupName))).toEqual([
      { groupName: 'floor-1', parentGroupName: 'site' },
      { groupName: 'site', parentGroupName: undefined }
    ])
    expect(await failure(t.api.call('groups.create', { groupName: 'orphan', parentGroupName: 'nowhere' }))).toMatchObject({ errorName: 'ResourceNotFoundException' })
  })

  it('describes a group with its members and attached policies', async () => {
    await provisioned('grp-lamp-1', { groups: ['floor-1'], policy: { mode: 'none' } })
    const floor = await t.api.call('groups.describe', { groupName: 'floor-1' })
    await iot.send(new CreatePolicyCommand({ policyName: 'floor-policy', policyDocument: allow('iot:Connect') }))
    await iot.send(new AttachPolicyCommand({ policyName: 'floor-policy', target: floor.groupArn }))
    expect(await t.api.call('groups.describe', { groupName: 'floor-1' })).toMatchObject({ things: ['grp-lamp-1'], policies: ['floor-policy'], parentGroupName: 'site' })
    expect(await t.api.call('groups.describe', { groupName: 'site' })).toMatchObject({ description: 'The whole site', things: [] })
  })

  it("lists a group's things directly in it and, separately, those in it or any group below", async () => {
    await t.api.call('groups.create', { groupName: 'room-1a', parentGroupName: 'floor-1' })
    await provisioned('grp-lamp-deep', { groups: ['room-1a'], policy: { mode: 'none' } })
    await provisioned('grp-lamp-site', { groups: ['site'], policy: { mode: 'none' } })
    const site = await t.api.call('groups.describe', { groupName: 'site' })
    expect(site.things).toEqual(['grp-lamp-site'])
    expect([...site.thingsIncludingSubgroups].sort()).toEqual(['grp-lamp-1', 'grp-lamp-deep', 'grp-lamp-site'])
    expect(await t.api.call('groups.describe', { groupName: 'room-1a' })).toMatchObject({ things: ['grp-lamp-deep'], thingsIncludingSubgroups: ['grp-lamp-deep'] })
  })
})

describe('things', () => {
  it('lists with AWS filters and pages', async () => {
    for (const [thingName, room] of [['th-a', 'kitchen'], ['th-b', 'hall'], ['th-c', 'kitchen']])
      await iot.send(new CreateThingCommand({ thingName, thingTypeName: 'Lamp', attributePayload: { attributes: { room } } }))
    const kitchen = await t.api.call('things.list', { attributeName: 'room', attributeValue: 'kitchen' })
    expect(kitchen.things.map((x) => x.thingName).sort()).toEqual(['th-a', 'th-c'])
    expect(kitchen.things[0]).toMatchObject({ thingTypeName: 'Lamp', attributes: { room: 'kitchen' } })
    const typed = await t.api.call('things.list', { thingTypeName: 'Lamp' })
    expect(typed.things.map((x) => x.thingName).sort()).toEqual(['th-a', 'th-b', 'th-c'])

    const first = await t.api.call('things.list', { maxResults: 2 })
    expect(first.things).toHaveLength(2)
    expect(first.nextToken).toBeTruthy()
    const rest = await t.api.call('things.list', { maxResults: 250, nextToken: first.nextToken })
    expect(new Set([...first.things, ...rest.things].map((x) => x.thingName)).size).toBe(first.things.length + rest.things.length)
  })

  it('describes a thing with its certificate, key in the vault, and groups', async () => {
    const result = await provisioned('th-described', { groups: ['site'] })
    const thing = await t.api.call('things.describe', { thingName: 'th-described' })
    expect(thing).toMatchObject({ thingName: 'th-described', groups: ['site'] })
    expect(thing.principals).toEqual([{ certificateArn: result.certificateArn, certificateId: result.certificateId, status: 'ACTIVE', keyInVault: true }])
  })

  it('updates attributes with AWS merge: set, null removes, others stay', async () => {
    await iot.send(new CreateThingCommand({ thingName: 'th-attrs', thingTypeName: 'Lamp', attributePayload: { attributes: { room: 'hall', colour: 'red' } } }))
    const updated = await t.api.call('things.updateAttributes', { thingName: 'th-attrs', attributes: { colour: null, watts: '40' } })
    expect(updated.attributes).toEqual({ room: 'hall', watts: '40' })
  })

  it('refuses an attribute name AWS does not allow, naming it, and changes nothing', async () => {
    const error = await failure(t.api.call('things.updateAttributes', { thingName: 'th-attrs', attributes: { 'bad name': 'x', room: 'attic' } }))
    expect(error).toMatchObject({ errorName: 'InvalidArguments' })
    expect(error.message).toMatch(/attributes\.bad name/)
    expect((await t.api.call('things.describe', { thingName: 'th-attrs' })).attributes.room).toBe('hall')
  })

  it('says ResourceNotFoundException for a thing that does not exist', async () => {
    const error = await failure(t.api.call('things.describe', { thingName: 'no-such-thing' }))
    expect(error).toBeInstanceOf(ApiError)
    expect(error.errorName).toBe('ResourceNotFoundException')
    expect(error.message).toMatch(/no-such-thing/)
  })

  it('deprovisions: a dry run lists the calls and changes nothing, then the real run removes it all', async () => {
    const result = await provisioned('th-gone')
    const dry = await t.api.call('things.deprovision', { thingName: 'th-gone', dryRun: true })
    expect(dry.done).toBe(false)
    expect(dry.calls.map((c) => c.operation)).toEqual(['DetachThingPrincipal', 'DetachPolicy', 'UpdateCertificate', 'DeleteCertificate', 'DeleteVaultKey', 'DeleteThing'])
    expect((await t.api.call('things.describe', { thingName: 'th-gone' })).principals).toHaveLength(1)

    expect(await t.api.call('things.deprovision', { thingName: 'th-gone' })).toMatchObject({ done: true })
    expect(await failure(t.api.call('things.describe', { thingName: 'th-gone' }))).toMatchObject({ errorName: 'ResourceNotFoundException' })
    expect(await failure(t.api.call('certificates.describe', { certificateId: result.certificateId }))).toMatchObject({ errorName: 'ResourceNotFoundException' })
    expect(await t.session.vault.has(result.certificateId)).toBe(false)
    expect(await failure(t.api.call('things.deprovision', { thingName: 'th-gone' }))).toMatchObject({ errorName: 'ResourceNotFoundException' })
  })
})

describe('certificates', () => {
  it('inspects a PEM without sending it anywhere', async () => {
    const pem = await makeDeviceCertificate({ commonName: 'bench-7' })
    const view = await t.api.call('certificates.inspect', { pem })
    expect(view.subject).toBe('CN=bench-7')
    expect(view.certificateId).toMatch(/^[0-9a-f]{64}$/)
    expect(new Date(view.notAfter).getTime()).toBeGreaterThan(Date.now())
    expect(await failure(t.api.call('certificates.inspect', { pem: 'not a certificate' }))).toMatchObject({ errorName: 'CertificateFormatError' })
  })

  it('lists, describes with things and policies, and changes status', async () => {
    const result = await provisioned('cert-lamp-1')
    const listed = await t.api.call('certificates.list', {})
    expect(listed.certificates.find((c) => c.certificateId === result.certificateId)).toMatchObject({ status: 'ACTIVE', certificateArn: result.certificateArn })

    const details = await t.api.call('certificates.describe', { certificateId: result.certificateId })
    expect(details).toMatchObject({ things: ['cert-lamp-1'], policies: ['ThingBench-shadow'], keyInVault: true, status: 'ACTIVE' })
    expect(details.certificatePem).toBe(result.certificatePem)
    expect(new Date(details.notAfter!).getTime()).toBeGreaterThan(Date.now())

    expect(await t.api.call('certificates.setStatus', { certificateId: result.certificateId, status: 'INACTIVE' })).toMatchObject({ status: 'INACTIVE' })
    expect(await t.api.call('certificates.setStatus', { certificateId: result.certificateId, status: 'REVOKED' })).toMatchObject({ status: 'REVOKED' })
    // AWS does not bring a revoked certificate back.
    expect(await failure(t.api.call('certificates.setStatus', { certificateId: result.certificateId, status: 'ACTIVE' }))).toMatchObject({ errorName: 'CertificateStateException' })
  })
})

describe('policies', () => {
  it('offers the templates filled in with the Local IoT Core account and region', async () => {
    const core = await t.session.localIotCore()
    const templates = await t.api.call('policies.templates', {})
    expect(templates.map((x) => x.template)).toEqual(['shadow', 'shadow-jobs'])
    for (const { document } of templates) {
      expect(document).toContain(`arn:aws:iot:${core.region}:${core.accountId}:client/\${iot:Connection.Thing.ThingName}`)
      expect(await t.api.call('policies.checkDocument', { document })).toEqual({ problem: null })
    }
  })

  it('checks a document the way AWS would', async () => {
    const { problem } = await t.api.call('policies.checkDocument', { document: '{"Version": "2012-10-17",\n "Statement": [' })
    expect(problem).toMatch(/MalformedPolicyException.*line 2/)
  })

  it('refuses `"Effect": "Perhaps"` with the message the Local IoT Core answers CreatePolicy with', async () => {
    const document = '{"Version":"2012-10-17","Statement":[{"Effect":"Perhaps","Action":"iot:Connect","Resource":"*"}]}'
    const refused = await iot.send(new CreatePolicyCommand({ policyName: 'perhaps', policyDocument: document })).catch((e: Error) => e)
    expect(refused).toMatchObject({ name: 'MalformedPolicyException' })
    const { problem } = await t.api.call('policies.checkDocument', { document })
    expect(problem).toBe(`AWS would refuse the policy document (MalformedPolicyException): ${(refused as Error).message}`)
    expect(problem).toContain('Statement 1: Effect must be "Allow" or "Deny", not "Perhaps"')
  })

  it('lists, describes versions and targets, reads a version, and sets the default', async () => {
    await iot.send(new CreatePolicyCommand({ policyName: 'versions', policyDocument: allow('iot:Connect') }))
    await iot.send(new CreatePolicyVersionCommand({ policyName: 'versions', policyDocument: allow('iot:Publish'), setAsDefault: false }))
    const result = await provisioned('pol-lamp-1', { policy: { mode: 'existing', policyName: 'versions' } })

    const page = await t.api.call('policies.list', { maxResults: 1 })
    expect(page.policies).toHaveLength(1)
    expect(page.nextToken).toBeTruthy()
    const described = await t.api.call('policies.describe', { policyName: 'versions' })
    expect(described).toMatchObject({ defaultVersionId: '1', targets: [result.certificateArn] })
    expect(described.versions.map((v) => [v.versionId, v.isDefaultVersion]).sort()).toEqual([['1', true], ['2', false]])

    const second = await t.api.call('policies.version', { policyName: 'versions', versionId: '2' })
    expect(JSON.parse(second.document).Statement[0].Action).toBe('iot:Publish')
    expect(await t.api.call('policies.setDefaultVersion', { policyName: 'versions', versionId: '2' })).toMatchObject({ defaultVersionId: '2' })
    expect(await failure(t.api.call('policies.version', { policyName: 'versions', versionId: '9' }))).toMatchObject({ errorName: 'ResourceNotFoundException' })
  })
})

describe('bad arguments', () => {
  it('are refused with InvalidArguments naming the field, before any call', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['things.describe', { thingName: 'has space' }, /thingName/],
      ['certificates.describe', { certificateId: 'abc' }, /certificateId/],
      ['things.list', { maxResults: 1000 }, /maxResults/],
      ['groups.create', { groupName: 'g', extra: 1 }, /extra/],
      ['provisioning.cancel', { runId: 'not-a-uuid' }, /runId/],
      ['things.list', { attributeValue: 'x' }, /attributeValue/]
    ]
    for (const [method, args, field] of cases) {
      const error = await failure(t.api.call(method as 'things.describe', args as never))
      expect(error, method).toMatchObject({ errorName: 'InvalidArguments' })
      expect(error.message, method).toMatch(field)
    }
  })
})
