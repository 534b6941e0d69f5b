import type { SandboxContext } from '../context'
import { invalidRequest, limitExceeded, notFound } from '../http/iotError'
import type { Route, SandboxRequest, SandboxResponse } from '../http/route'
import { assertValid, rules, type StringRule } from '../http/validate'
import type { ThingGroupRecord } from '../state/records'
import { GroupTree } from './hierarchy'
import { bodyObject, optionalBoolean, optionalString, queryBoolean, type JsonObject } from '../http/input'
import { memberKey, membershipsOfGroup, membershipsOfThing, requireThing, requireThingGroup } from './lookups'
import { pageRequestOf, paginate, REGISTRY_PAGING } from '../http/paging'
import { thingGroupNameOf } from './thingGroups'

// Which things are in which static groups: AddThingToThingGroup, RemoveThingFromThingGroup,
// ListThingsInThingGroup, ListThingGroupsForThing (research/iot-core.md §4.4, §4.7).

/** A thing can be in at most 10 thing groups (DG thing-groups.md). */
export const MAX_GROUPS_PER_THING = 10

export function groupMembershipRoutes(ctx: SandboxContext): Route[] {
  return [
    {
      operation: 'AddThingToThingGroup',
      method: 'PUT',
      pattern: '/thing-groups/addThingToThingGroup',
      handler: (req) => addThingToThingGroup(ctx, req)
    },
    {
      operation: 'RemoveThingFromThingGroup',
      method: 'PUT',
      pattern: '/thing-groups/removeThingFromThingGroup',
      handler: (req) => removeThingFromThingGroup(ctx, req)
    },
    {
      operation: 'ListThingsInThingGroup',
      method: 'GET',
      pattern: '/thing-groups/{thingGroupName}/things',
      handler: (req) => listThingsInThingGroup(ctx, req)
    },
    {
      operation: 'ListThingGroupsForThing',
      method: 'GET',
      pattern: '/things/{thingName}/thing-groups',
      handler: (req) => listThingGroupsForThing(ctx, req)
    }
  ]
}

interface NamedBy {
  nameMember: string
  arnMember: string
  /** ARN resource type, e.g. `thing` in `arn:aws:iot:{region}:{account}:thing/{name}`. */
  arnType: 'thing' | 'thinggroup'
  kind: string
  rule: StringRule
}

const THING: NamedBy = { nameMember: 'thingName', arnMember: 'thingArn', arnType: 'thing', kind: 'thing', rule: rules.thingName }
const GROUP: NamedBy = {
  nameMember: 'thingGroupName',
  arnMember: 'thingGroupArn',
  arnType: 'thinggroup',
  kind: 'thing group',
  rule: rules.thingGroupName
}

/** The name a request gives by name or by ARN; both may be given if they agree. */
function nameFromBody(ctx: SandboxContext, body: JsonObject, by: NamedBy): string {
  const name = optionalString(body, by.nameMember)
  const arn = optionalString(body, by.arnMember)
  if (name === undefined && arn === undefined)
    throw invalidRequest(
      `Both ${by.nameMember} and ${by.arnMember} cannot be null. Give the ${by.kind}'s name (${by.nameMember}) or ARN (${by.arnMember}).`
    )
  let resolved = name
  if (arn !== undefined) {
    const prefix = ctx.arn(`${by.arnType}/`)
    if (!arn.startsWith(prefix) || arn.length === prefix.length)
      throw notFound(
        `${by.arnMember} ${arn} does not name a ${by.kind} of this account and region; expected ${prefix}<name>.`
      )
    const fromArn = arn.slice(prefix.length)
    if (name !== undefined && name !== fromArn)
      throw invalidRequest(
        `${by.nameMember} ${name} and ${by.arnMember} ${arn} name different ${by.kind}s. Give one of them, or make them agree.`
      )
    resolved = fromArn
  }
  assertValid([[resolved, by.nameMember, by.rule]])
  return resolved!
}

function addThingToThingGroup(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const body = bodyObject(req)
  const thingGroupName = nameFromBody(ctx, body, GROUP)
  const thingName = nameFromBody(ctx, body, THING)
  // Only static groups exist here, so there is never a dynamic membership to override.
  optionalBoolean(body, 'overrideDynamicGroups')
  requireThing(ctx, thingName)
  requireThingGroup(ctx, thingGroupName)

  const memberships = membershipsOfThing(ctx, thingName)
  if (memberships.some((m) => m.thingGroupName === thingGroupName)) return { body: {} }
  if (memberships.length >= MAX_GROUPS_PER_THING)
    throw limitExceeded(
      `Thing ${thingName} is already in ${memberships.length} thing groups, the most a thing can be in. ` +
        'Remove it from a group (RemoveThingFromThingGroup) before adding it to another.'
    )
  const tree = new GroupTree(ctx.store.list<ThingGroupRecord>('thingGroups'))
  const root = tree.rootName(thingGroupName)
  const sameHierarchy = memberships.find((m) => tree.rootName(m.thingGroupName) === root)
  if (sameHierarchy)
    throw invalidRequest(
      `Thing ${thingName} cannot be added to thing group ${thingGroupName}: it is already in thing group ` +
        `${sameHierarchy.thingGroupName} of the same hierarchy (root ${root}), and a thing can be in only one group of a hierarchy. ` +
        `Remove it from ${sameHierarchy.thingGroupName} first.`
    )
  ctx.store.commit([
    { op: 'put', collection: 'thingGroupMembers', key: memberKey(thingGroupName, thingName), value: { thingGroupName, thingName } }
  ])
  return { body: {} }
}

function removeThingFromThingGroup(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const body = bodyObject(req)
  const thingGroupName = nameFromBody(ctx, body, GROUP)
  const thingName = nameFromBody(ctx, body, THING)
  requireThing(ctx, thingName)
  requireThingGroup(ctx, thingGroupName)
  const key = memberKey(thingGroupName, thingName)
  // Removing a thing that is not in the group changes nothing and succeeds.
  if (ctx.store.get('thingGroupMembers', key) !== undefined)
    ctx.store.commit([{ op: 'delete', collection: 'thingGroupMembers', key }])
  return { body: {} }
}

function listThingsInThingGroup(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const thingGroupName = thingGroupNameOf(req)
  const page = pageRequestOf(req, REGISTRY_PAGING)
  const recursive = queryBoolean(req, 'recursive') ?? false
  requireThingGroup(ctx, thingGroupName)
  const groupNames = [thingGroupName]
  if (recursive) {
    const tree = new GroupTree(ctx.store.list<ThingGroupRecord>('thingGroups'))
    groupNames.push(...tree.descendants(thingGroupName).map((group) => group.thingGroupName))
  }
  const thingNames = new Set(groupNames.flatMap((name) => membershipsOfGroup(ctx, name).map((m) => m.thingName)))
  const { items, next: nextToken } = paginate([...thingNames], (name) => name, page)
  return { body: { things: items, nextToken } }
}

function listThingGroupsForThing(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const thingName = req.params.thingName ?? ''
  assertValid([[thingName, 'thingName', rules.thingName]])
  const page = pageRequestOf(req, REGISTRY_PAGING)
  requireThing(ctx, thingName)
  const groups = membershipsOfThing(ctx, thingName).flatMap((m) => {
    const group = ctx.store.get<ThingGroupRecord>('thingGroups', m.thingGroupName)
    return group ? [group] : []
  })
  const { items, next: nextToken } = paginate(groups, (group) => group.thingGroupName, page)
  return {
    body: {
      thingGroups: items.map((group) => ({ groupName: group.thingGroupName, groupArn: group.thingGroupArn })),
      nextToken
    }
  }
}
