import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  CreateThingGroupCommand,
  DeleteThingGroupCommand,
  DescribeThingGroupCommand,
  DetachPolicyCommand,
  paginateListAttachedPolicies,
  paginateListThingGroups,
  paginateListThingsInThingGroup,
  RemoveThingFromThingGroupCommand,
  type DescribeThingGroupCommandOutput,
  type IoTClient
} from '@aws-sdk/client-iot'
import pLimit from 'p-limit'
import type { GroupDetails, GroupSummary, Handlers } from '../../contract'
import { allItems } from '../../core/aws'
import type { BackendContext } from './context'

/** DescribeThingGroup calls in flight while listing: AWS allows 100 per second. */
const describeConcurrency = 8

type GroupMethods =
  | 'groups.list'
  | 'groups.describe'
  | 'groups.create'
  | 'groups.delete'
  | 'groups.addThing'
  | 'groups.removeThing'
  | 'groups.attachPolicy'
  | 'groups.detachPolicy'

export function groupHandlers(ctx: BackendContext): Pick<Handlers, GroupMethods> {
  return {
    'groups.list': async () => {
      const iot = await ctx.iot()
      const names = await allItems(paginateListThingGroups({ client: iot, pageSize: 250 }, {}), (page) => page.thingGroups?.map((g) => g.groupName ?? ''))
      // ListThingGroups does not say who a group's parent is; DescribeThingGroup does.
      const described = await pLimit(describeConcurrency).map(names, (name) => describeOrUndefined(iot, name))
      return described.filter((d): d is DescribeThingGroupCommandOutput => d !== undefined).map(summary)
    },
    'groups.describe': async ({ groupName }) => describeGroup(await ctx.iot(), groupName),
    'groups.create': async ({ groupName, parentGroupName, description }) => {
      const iot = await ctx.iot()
      const out = await iot.send(
        new CreateThingGroupCommand({
          thingGroupName: groupName,
          parentGroupName,
          ...(description ? { thingGroupProperties: { thingGroupDescription: description } } : {})
        })
      )
      return { groupName: out.thingGroupName ?? groupName, groupArn: out.thingGroupArn ?? '', ...(parentGroupName ? { parentGroupName } : {}) }
    },
    'groups.delete': async ({ groupName }) => {
      const iot = await ctx.iot()
      // DeleteThingGroup answers success for a group that does not exist; deleting nothing is worth saying.
      await iot.send(new DescribeThingGroupCommand({ thingGroupName: groupName }))
      await iot.send(new DeleteThingGroupCommand({ thingGroupName: groupName }))
      return { deleted: true }
    },
    'groups.addThing': async ({ groupName, thingName }) => {
      const iot = await ctx.iot()
      await iot.send(new AddThingToThingGroupCommand({ thingGroupName: groupName, thingName }))
      return describeGroup(iot, groupName)
    },
    'groups.removeThing': async ({ groupName, thingName }) => {
      const iot = await ctx.iot()
      await iot.send(new RemoveThingFromThingGroupCommand({ thingGroupName: groupName, thingName }))
      return describeGroup(iot, groupName)
    },
    'groups.attachPolicy': async ({ groupName, policyName }) => {
      const iot = await ctx.iot()
      const group = await iot.send(new DescribeThingGroupCommand({ thingGroupName: groupName }))
      await iot.send(new AttachPolicyCommand({ policyName, target: group.thingGroupArn }))
      return describeGroup(iot, groupName)
    },
    'groups.detachPolicy': async ({ groupName, policyName }) => {
      const iot = await ctx.iot()
      const group = await iot.send(new DescribeThingGroupCommand({ thingGroupName: groupName }))
      await iot.send(new DetachPolicyCommand({ policyName, target: group.thingGroupArn }))
      return describeGroup(iot, groupName)
    }
  }
}

async function describeGroup(iot: IoTClient, groupName: string): Promise<GroupDetails> {
  const described = await iot.send(new DescribeThingGroupCommand({ thingGroupName: groupName }))
  const group = summary(described)
  const thingsIn = (recursive: boolean) =>
    allItems(paginateListThingsInThingGroup({ client: iot, pageSize: 250 }, { thingGroupName: groupName, recursive }), (page) => page.things)
  const [things, thingsIncludingSubgroups, policies] = await Promise.all([
    thingsIn(false),
    thingsIn(true),
    allItems(paginateListAttachedPolicies({ client: iot, pageSize: 250 }, { target: group.groupArn, recursive: false }), (page) =>
      page.policies?.map((p) => p.policyName ?? '')
    )
  ])
  const description = described.thingGroupProperties?.thingGroupDescription
  return { ...group, ...(description ? { description } : {}), things, thingsIncludingSubgroups, policies }
}

function summary(d: DescribeThingGroupCommandOutput): GroupSummary {
  const parentGroupName = d.thingGroupMetadata?.parentGroupName
  return { groupName: d.thingGroupName ?? '', groupArn: d.thingGroupArn ?? '', ...(parentGroupName ? { parentGroupName } : {}) }
}

/** A group deleted between the list and its description is simply no longer listed. */
async function describeOrUndefined(iot: IoTClient, thingGroupName: string): Promise<DescribeThingGroupCommandOutput | undefined> {
  try {
    return await iot.send(new DescribeThingGroupCommand({ thingGroupName }))
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined
    throw error
  }
}
