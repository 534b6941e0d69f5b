import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DeleteThingGroupCommand,
  DescribeThingGroupCommand,
  ListTargetsForPolicyCommand,
  ListThingGroupsCommand,
  ListThingGroupsForThingCommand,
  ListThingsInThingGroupCommand,
  RemoveThingFromThingGroupCommand,
  ResourceAlreadyExistsException,
  UpdateThingGroupCommand,
  type IoTClient,
  type ListThingGroupsCommandInput
} from '@aws-sdk/client-iot'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'
import { refused } from '../../support/refusal'

// Static thing groups and their members in the Local IoT Core, driven by the real
// @aws-sdk/client-iot (research/iot-core.md §4.4, §4.7).


let sandbox: TestSandbox
let iot: IoTClient

beforeEach(async () => {
  sandbox = await startTestSandbox()
  iot = sandbox.iot
})

afterEach(async () => {
  await sandbox.stop()
})

const groupArn = (name: string): string => `arn:aws:iot:${sandbox.core.region}:${sandbox.core.accountId}:thinggroup/${name}`
const thingArn = (name: string): string => `arn:aws:iot:${sandbox.core.region}:${sandbox.core.accountId}:thing/${name}`

/** Creates `names` as a chain, each the child of the one before. */
async function createChain(names: string[]): Promise<void> {
  let parent: string | undefined
  for (const name of names) {
    await iot.send(new CreateThingGroupCommand({ thingGroupName: name, parentGroupName: parent }))
    parent = name
  }
}

const groupNames = async (input: ListThingGroupsCommandInput): Promise<string[]> =>
  ((await iot.send(new ListThingGroupsCommand(input))).thingGroups ?? []).map((group) => group.groupName ?? '')

describe('CreateThingGroup and DescribeThingGroup', () => {
  it('shows the parent, the path from the root, properties, version 1 and the creation date', async () => {
    await createChain(['building', 'floor-1'])
    const created = await iot.send(
      new CreateThingGroupCommand({
        thingGroupName: 'room-101',
        parentGroupName: 'floor-1',
        thingGroupProperties: { thingGroupDescription: 'Meeting room', attributePayload: { attributes: { seats: '8' } } }
      })
    )
    expect(created.thingGroupArn).toBe(groupArn('room-101'))

    const described = await iot.send(new DescribeThingGroupCommand({ thingGroupName: 'room-101' }))
    expect(described).toMatchObject({
      thingGroupName: 'room-101',
      thingGroupId: created.thingGroupId,
      version: 1,
      thingGroupProperties: { thingGroupDescription: 'Meeting room', attributePayload: { attributes: { seats: '8' } } },
      thingGroupMetadata: {
        parentGroupName: 'floor-1',
        rootToParentThingGroups: [
          { groupName: 'building', groupArn: groupArn('building') },
          { groupName: 'floor-1', groupArn: groupArn('floor-1') }
        ]
      }
    })
    expect(described.thingGroupMetadata?.creationDate).toBeInstanceOf(Date)
    const root = await iot.send(new DescribeThingGroupCommand({ thingGroupName: 'building' }))
    expect(root.thingGroupMetadata?.parentGroupName).toBeUndefined()
  })

  it('answers an identical create with the same ids and refuses a different one with 409', async () => {
    const properties = { thingGroupDescription: 'lab', attributePayload: { attributes: { a: '1' } } }
    const first = await iot.send(new CreateThingGroupCommand({ thingGroupName: 'lab', thingGroupProperties: properties }))
    const again = await iot.send(new CreateThingGroupCommand({ thingGroupName: 'lab', thingGroupProperties: properties }))
    expect(again.thingGroupId).toBe(first.thingGroupId)

    const error = await refused(
      iot.send(new CreateThingGroupCommand({ thingGroupName: 'lab', thingGroupProperties: { thingGroupDescription: 'other' } }))
    )
    expect(error).toBeInstanceOf(ResourceAlreadyExistsException)
    expect(error.$metadata.httpStatusCode).toBe(409)
    expect((error as ResourceAlreadyExistsException).resourceArn).toBe(groupArn('lab'))
  })

  it('refuses a parent that does not exist and creates nothing', async () => {
    const error = await refused(iot.send(new CreateThingGroupCommand({ thingGroupName: 'child', parentGroupName: 'nowhere' })))
    expect(error.name).toBe('ResourceNotFoundException')
    expect(error.$metadata.httpStatusCode).toBe(404)
    expect(error.message).toMatch(/nowhere/)
    expect(await groupNames({})).toEqual([])
  })

  it('allows a hierarchy 7 levels deep and refuses an 8th level with LimitExceededException', async () => {
    const levels = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7']
    await createChain(levels)
    const error = await refused(iot.send(new CreateThingGroupCommand({ thingGroupName: 'l8', parentGroupName: 'l7' })))
    expect(error.name).toBe('LimitExceededException')
    expect(error.$metadata.httpStatusCode).toBe(410)
    expect(error.message).toMatch(/at most 7 levels deep/)
    expect(await groupNames({})).toEqual(levels)
  })

  it('allows 100 direct children and refuses the 101st', async () => {
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'parent' }))
    const children = Array.from({ length: 100 }, (_, i) => `child-${String(i).padStart(3, '0')}`)
    for (const name of children) await iot.send(new CreateThingGroupCommand({ thingGroupName: name, parentGroupName: 'parent' }))
    const error = await refused(iot.send(new CreateThingGroupCommand({ thingGroupName: 'child-100', parentGroupName: 'parent' })))
    expect(error.name).toBe('LimitExceededException')
    expect(error.$metadata.httpStatusCode).toBe(410)
    expect(error.message).toMatch(/already has 100 child groups/)
    expect(await groupNames({ parentGroup: 'parent', maxResults: 250 })).toEqual(children)
  })

  it('refuses more than 50 attributes on a group', async () => {
    const attributes = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']))
    const error = await refused(
      iot.send(new CreateThingGroupCommand({ thingGroupName: 'big', thingGroupProperties: { attributePayload: { attributes } } }))
    )
    expect(error.name).toBe('InvalidRequestException')
    expect(error.message).toMatch(/at most 50/)
  })
})

describe('UpdateThingGroup', () => {
  it('merges attributes, changes the description, returns the new version, and refuses a stale expectedVersion', async () => {
    await iot.send(
      new CreateThingGroupCommand({
        thingGroupName: 'lab',
        thingGroupProperties: { thingGroupDescription: 'old', attributePayload: { attributes: { a: '1', b: '2' } } }
      })
    )
    const updated = await iot.send(
      new UpdateThingGroupCommand({
        thingGroupName: 'lab',
        thingGroupProperties: { thingGroupDescription: 'new', attributePayload: { attributes: { b: '', c: '3' }, merge: true } },
        expectedVersion: 1
      })
    )
    expect(updated.version).toBe(2)
    const described = await iot.send(new DescribeThingGroupCommand({ thingGroupName: 'lab' }))
    expect(described.thingGroupProperties).toEqual({ thingGroupDescription: 'new', attributePayload: { attributes: { a: '1', c: '3' } } })
    expect(described.version).toBe(2)

    const stale = await refused(
      iot.send(new UpdateThingGroupCommand({ thingGroupName: 'lab', thingGroupProperties: { thingGroupDescription: 'x' }, expectedVersion: 1 }))
    )
    expect(stale.name).toBe('VersionConflictException')
    expect(stale.$metadata.httpStatusCode).toBe(409)
    expect((await iot.send(new DescribeThingGroupCommand({ thingGroupName: 'lab' }))).thingGroupProperties?.thingGroupDescription).toBe('new')
  })

  it('replaces the attributes when merge is not set', async () => {
    await iot.send(
      new CreateThingGroupCommand({ thingGroupName: 'lab', thingGroupProperties: { attributePayload: { attributes: { a: '1' } } } })
    )
    await iot.send(new UpdateThingGroupCommand({ thingGroupName: 'lab', thingGroupProperties: { attributePayload: { attributes: { z: '9' } } } }))
    const described = await iot.send(new DescribeThingGroupCommand({ thingGroupName: 'lab' }))
    expect(described.thingGroupProperties?.attributePayload?.attributes).toEqual({ z: '9' })
  })

  it('reports a missing group with ResourceNotFoundException', async () => {
    const error = await refused(iot.send(new UpdateThingGroupCommand({ thingGroupName: 'ghost', thingGroupProperties: {} })))
    expect(error.name).toBe('ResourceNotFoundException')
    expect(error.$metadata.httpStatusCode).toBe(404)
  })
})

describe('DeleteThingGroup', () => {
  it("refuses a group with child groups with AWS's message, and deletes it once they are gone", async () => {
    await createChain(['building', 'floor-1'])
    const error = await refused(iot.send(new DeleteThingGroupCommand({ thingGroupName: 'building' })))
    expect(error.name).toBe('InvalidRequestException')
    expect(error.$metadata.httpStatusCode).toBe(400)
    expect(error.message).toMatch(/^Cannot delete thing group : building when there are still child groups attached to it\./)
    expect(await groupNames({})).toEqual(['building', 'floor-1'])

    await iot.send(new DeleteThingGroupCommand({ thingGroupName: 'floor-1' }))
    await iot.send(new DeleteThingGroupCommand({ thingGroupName: 'building' }))
    expect(await groupNames({})).toEqual([])
  })

  it('succeeds for a group that does not exist', async () => {
    const result = await iot.send(new DeleteThingGroupCommand({ thingGroupName: 'never-was' }))
    expect(result.$metadata.httpStatusCode).toBe(200)
  })

  it('refuses a stale expectedVersion and keeps the group', async () => {
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'lab' }))
    const error = await refused(iot.send(new DeleteThingGroupCommand({ thingGroupName: 'lab', expectedVersion: 3 })))
    expect(error.name).toBe('VersionConflictException')
    expect(error.$metadata.httpStatusCode).toBe(409)
    expect(await groupNames({})).toEqual(['lab'])
  })

  it('lets its member things go and detaches its policies', async () => {
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'lab' }))
    await iot.send(new CreateThingCommand({ thingName: 'dev' }))
    await iot.send(new AddThingToThingGroupCommand({ thingName: 'dev', thingGroupName: 'lab' }))
    await iot.send(
      new CreatePolicyCommand({
        policyName: 'lab-policy',
        policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] })
      })
    )
    await iot.send(new AttachPolicyCommand({ policyName: 'lab-policy', target: groupArn('lab') }))

    await iot.send(new DeleteThingGroupCommand({ thingGroupName: 'lab' }))
    expect((await iot.send(new ListThingGroupsForThingCommand({ thingName: 'dev' }))).thingGroups).toEqual([])
    expect((await iot.send(new ListTargetsForPolicyCommand({ policyName: 'lab-policy' }))).targets).toEqual([])
    // A new group of the same name starts empty.
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'lab' }))
    expect((await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'lab' }))).things).toEqual([])
  })
})

describe('ListThingGroups', () => {
  beforeEach(async () => {
    await createChain(['site-a', 'site-a-floor', 'site-a-room'])
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'site-b' }))
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'other', parentGroupName: 'site-b' }))
  })

  it('lists every group by default, only roots when recursive is false, and filters by name prefix', async () => {
    expect(await groupNames({})).toEqual(['other', 'site-a', 'site-a-floor', 'site-a-room', 'site-b'])
    expect(await groupNames({ recursive: false })).toEqual(['site-a', 'site-b'])
    expect(await groupNames({ namePrefixFilter: 'site-a' })).toEqual(['site-a', 'site-a-floor', 'site-a-room'])
  })

  it('lists the children of a parent, and all its descendants when recursive', async () => {
    expect(await groupNames({ parentGroup: 'site-a', recursive: false })).toEqual(['site-a-floor'])
    expect(await groupNames({ parentGroup: 'site-a', recursive: true })).toEqual(['site-a-floor', 'site-a-room'])
    expect(await groupNames({ parentGroup: 'site-b' })).toEqual(['other'])
  })

  it('pages with maxResults and nextToken', async () => {
    const first = await iot.send(new ListThingGroupsCommand({ maxResults: 3 }))
    expect(first.thingGroups?.map((g) => g.groupName)).toEqual(['other', 'site-a', 'site-a-floor'])
    const second = await iot.send(new ListThingGroupsCommand({ maxResults: 3, nextToken: first.nextToken }))
    expect(second.thingGroups?.map((g) => g.groupName)).toEqual(['site-a-room', 'site-b'])
    expect(second.nextToken).toBeUndefined()
  })

  it('refuses an unknown parent group and a bad nextToken', async () => {
    const unknown = await refused(iot.send(new ListThingGroupsCommand({ parentGroup: 'nowhere' })))
    expect(unknown.name).toBe('ResourceNotFoundException')
    const badToken = await refused(iot.send(new ListThingGroupsCommand({ nextToken: 'not-a-token' })))
    expect(badToken.name).toBe('InvalidRequestException')
    expect(badToken.message).toMatch(/nextToken/)
  })
})

describe('AddThingToThingGroup and RemoveThingFromThingGroup', () => {
  beforeEach(async () => {
    await iot.send(new CreateThingCommand({ thingName: 'dev' }))
  })

  it('adds by name or by ARN, is idempotent, and removes again', async () => {
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'lab' }))
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'fleet' }))
    await iot.send(new AddThingToThingGroupCommand({ thingName: 'dev', thingGroupName: 'lab' }))
    await iot.send(new AddThingToThingGroupCommand({ thingName: 'dev', thingGroupName: 'lab' }))
    await iot.send(new AddThingToThingGroupCommand({ thingArn: thingArn('dev'), thingGroupArn: groupArn('fleet') }))

    const groups = await iot.send(new ListThingGroupsForThingCommand({ thingName: 'dev' }))
    expect(groups.thingGroups).toEqual([
      { groupName: 'fleet', groupArn: groupArn('fleet') },
      { groupName: 'lab', groupArn: groupArn('lab') }
    ])
    expect((await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'lab' }))).things).toEqual(['dev'])

    await iot.send(new RemoveThingFromThingGroupCommand({ thingArn: thingArn('dev'), thingGroupName: 'lab' }))
    await iot.send(new RemoveThingFromThingGroupCommand({ thingName: 'dev', thingGroupName: 'lab' }))
    const after = await iot.send(new ListThingGroupsForThingCommand({ thingName: 'dev' }))
    expect(after.thingGroups?.map((g) => g.groupName)).toEqual(['fleet'])
  })

  it('refuses an 11th group with LimitExceededException', async () => {
    for (let i = 0; i < 11; i++) await iot.send(new CreateThingGroupCommand({ thingGroupName: `g${i}` }))
    for (let i = 0; i < 10; i++) await iot.send(new AddThingToThingGroupCommand({ thingName: 'dev', thingGroupName: `g${i}` }))
    const error = await refused(iot.send(new AddThingToThingGroupCommand({ thingName: 'dev', thingGroupName: 'g10' })))
    expect(error.name).toBe('LimitExceededException')
    expect(error.$metadata.httpStatusCode).toBe(410)
    expect(error.message).toMatch(/already in 10 thing groups/)
    expect((await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'g10' }))).things).toEqual([])
  })

  it('refuses a second group of the same hierarchy and names the group it is already in', async () => {
    await createChain(['building', 'floor-1', 'room-1'])
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'floor-2', parentGroupName: 'building' }))
    await iot.send(new AddThingToThingGroupCommand({ thingName: 'dev', thingGroupName: 'room-1' }))
    for (const target of ['floor-2', 'building']) {
      const error = await refused(iot.send(new AddThingToThingGroupCommand({ thingName: 'dev', thingGroupName: target })))
      expect(error.name).toBe('InvalidRequestException')
      expect(error.$metadata.httpStatusCode).toBe(400)
      expect(error.message).toMatch(/already in thing group room-1 of the same hierarchy/)
    }
    const groups = await iot.send(new ListThingGroupsForThingCommand({ thingName: 'dev' }))
    expect(groups.thingGroups?.map((g) => g.groupName)).toEqual(['room-1'])
  })

  it('refuses missing things and groups, and requests that name neither', async () => {
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'lab' }))
    const noThing = await refused(iot.send(new AddThingToThingGroupCommand({ thingName: 'ghost', thingGroupName: 'lab' })))
    expect(noThing.name).toBe('ResourceNotFoundException')
    expect(noThing.$metadata.httpStatusCode).toBe(404)
    const noGroup = await refused(iot.send(new AddThingToThingGroupCommand({ thingName: 'dev', thingGroupName: 'ghost' })))
    expect(noGroup.name).toBe('ResourceNotFoundException')
    const neither = await refused(iot.send(new AddThingToThingGroupCommand({ thingGroupName: 'lab' })))
    expect(neither.name).toBe('InvalidRequestException')
    expect(neither.message).toMatch(/Both thingName and thingArn cannot be null/)
    const foreign = await refused(
      iot.send(new AddThingToThingGroupCommand({ thingArn: 'arn:aws:iot:eu-west-1:123456789012:thing/dev', thingGroupName: 'lab' }))
    )
    expect(foreign.name).toBe('ResourceNotFoundException')
    expect((await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'lab' }))).things).toEqual([])
  })
})

describe('ListThingsInThingGroup', () => {
  it('lists direct members, and members of descendant groups too when recursive', async () => {
    await createChain(['building', 'floor-1'])
    for (const name of ['lamp', 'sensor']) await iot.send(new CreateThingCommand({ thingName: name }))
    await iot.send(new AddThingToThingGroupCommand({ thingName: 'lamp', thingGroupName: 'building' }))
    await iot.send(new AddThingToThingGroupCommand({ thingName: 'sensor', thingGroupName: 'floor-1' }))

    expect((await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'building' }))).things).toEqual(['lamp'])
    expect((await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'building', recursive: true }))).things).toEqual([
      'lamp',
      'sensor'
    ])
    const missing = await refused(iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'ghost' })))
    expect(missing.name).toBe('ResourceNotFoundException')
    const noThing = await refused(iot.send(new ListThingGroupsForThingCommand({ thingName: 'ghost' })))
    expect(noThing.name).toBe('ResourceNotFoundException')
    expect(noThing.$metadata.httpStatusCode).toBe(404)
  })
})
