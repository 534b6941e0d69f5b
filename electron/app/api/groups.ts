import {
  CreateThingGroupCommand,
  DescribeThingGroupCommand,
  paginateListAttachedPolicies,
  paginateListThingGroups,
  paginateListThingsInThingGroup,
  type DescribeThingGroupCommandOutput,
  type IoTClient
} from '@aws-sdk/client-iot'
import pLimit from 'p-limit'
import type { GroupSummary, Handlers } from '../../contract'
import { allItems } from '../../core/aws'
import type { BackendContext } from './context'

/** DescribeThingGroup calls in flight while listing: AWS allows 100 per second. */
const describeConcurrency = 8

export function groupHandlers(ctx: BackendContext): Pick<Handlers, 'groups.list' | 'groups.describe' | 'groups.create'> {
  return {
    'groups.list': async () => {
      const iot = await ctx.iot()
      const names = await allItems(paginateListThingGroups({ client: iot, pageSize: 250 }, {}), (page) => page.thingGroups?.map((g) => g.groupName ?? ''))
      // ListThingGroups does not say who a group's parent is; DescribeThingGroup does.
      const described = await pLimit(describeConcurrency).map(names, (name) => describeOrUndefined(iot, name))
      return described.filter((d): d is DescribeThingGroupCommandOutput => d !== undefined).map(summary)
    },
    'groups.describe': async ({ groupName }) => {
      const iot = await ctx.iot()
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
    },
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
    }
  }
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
