import type { SandboxContext } from '../context'
import { alreadyExists, invalidRequest, limitExceeded, notFound, versionConflict } from '../http/iotError'
import type { Route, SandboxRequest, SandboxResponse } from '../http/route'
import { assertValid, rules } from '../http/validate'
import type { PolicyTargetRecord, ThingGroupRecord } from '../state/records'
import type { Change } from '../state/store'
import { applyAttributePayload, assertGroupAttributeCount, readAttributePayload, sameAttributes } from './attributes'
import { GroupTree, MAX_CHILD_GROUPS, MAX_HIERARCHY_DEPTH } from './hierarchy'
import { bodyObject, epochSeconds, optionalInteger, optionalObject, optionalString, queryBoolean, queryInteger, queryString } from '../http/input'
import { memberKey, membershipsOfGroup, requireThingGroup } from './lookups'
import { pageRequestOf, paginate, REGISTRY_PAGING } from '../http/paging'

// Static thing groups: CreateThingGroup, DescribeThingGroup, UpdateThingGroup, DeleteThingGroup,
// ListThingGroups (research/iot-core.md §4.4). Membership lives in groupMembership.ts.

export function thingGroupRoutes(ctx: SandboxContext): Route[] {
  return [
    { operation: 'CreateThingGroup', method: 'POST', pattern: '/thing-groups/{thingGroupName}', handler: (req) => createThingGroup(ctx, req) },
    { operation: 'DescribeThingGroup', method: 'GET', pattern: '/thing-groups/{thingGroupName}', handler: (req) => describeThingGroup(ctx, req) },
    { operation: 'UpdateThingGroup', method: 'PATCH', pattern: '/thing-groups/{thingGroupName}', handler: (req) => updateThingGroup(ctx, req) },
    { operation: 'DeleteThingGroup', method: 'DELETE', pattern: '/thing-groups/{thingGroupName}', handler: (req) => deleteThingGroup(ctx, req) },
    { operation: 'ListThingGroups', method: 'GET', pattern: '/thing-groups', handler: (req) => listThingGroups(ctx, req) }
  ]
}

export function thingGroupNameOf(req: SandboxRequest): string {
  const thingGroupName = req.params.thingGroupName ?? ''
  assertValid([[thingGroupName, 'thingGroupName', rules.thingGroupName]])
  return thingGroupName
}

const groupTree = (ctx: SandboxContext): GroupTree => new GroupTree(ctx.store.list<ThingGroupRecord>('thingGroups'))

function createThingGroup(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const thingGroupName = thingGroupNameOf(req)
  const body = bodyObject(req)
  const parentGroupName = optionalString(body, 'parentGroupName')
  const properties = optionalObject(body, 'thingGroupProperties') ?? {}
  const description = optionalString(properties, 'thingGroupDescription', 'thingGroupProperties.thingGroupDescription')
  assertValid([
    [parentGroupName, 'parentGroupName', rules.thingGroupName],
    [description, 'thingGroupProperties.thingGroupDescription', rules.description]
  ])
  const payload = readAttributePayload(properties, 'attributePayload', 'thingGroupProperties.attributePayload')
  const attributes = applyAttributePayload({}, payload)
  assertGroupAttributeCount(thingGroupName, attributes)

  const existing = ctx.store.get<ThingGroupRecord>('thingGroups', thingGroupName)
  if (existing) {
    const same =
      existing.parentGroupName === parentGroupName &&
      existing.description === description &&
      sameAttributes(existing.attributes, attributes)
    if (same)
      return { body: { thingGroupName, thingGroupArn: existing.thingGroupArn, thingGroupId: existing.thingGroupId } }
    throw alreadyExists(
      `Thing group ${thingGroupName} already exists with a different parent, description or attributes. ` +
        'Use UpdateThingGroup to change its description or attributes (the parent cannot change), or choose another name.',
      existing.thingGroupId,
      existing.thingGroupArn
    )
  }

  if (parentGroupName !== undefined) {
    const tree = groupTree(ctx)
    if (!tree.get(parentGroupName))
      throw notFound(`Parent thing group ${parentGroupName} cannot be found. Create it first, or check the name.`)
    if (tree.depth(parentGroupName) + 1 > MAX_HIERARCHY_DEPTH)
      throw limitExceeded(
        `Thing group ${thingGroupName} cannot be created under ${parentGroupName}: a thing group hierarchy can be at most ` +
          `${MAX_HIERARCHY_DEPTH} levels deep, and ${parentGroupName} is already at level ${tree.depth(parentGroupName)}.`
      )
    if (tree.children(parentGroupName).length >= MAX_CHILD_GROUPS)
      throw limitExceeded(
        `Thing group ${parentGroupName} already has ${MAX_CHILD_GROUPS} child groups, the most a thing group can have. ` +
          'Put the new group under another parent.'
      )
  }

  const group: ThingGroupRecord = {
    thingGroupName,
    thingGroupId: ctx.newId(),
    thingGroupArn: ctx.arn(`thinggroup/${thingGroupName}`),
    ...(parentGroupName === undefined ? {} : { parentGroupName }),
    ...(description === undefined ? {} : { description }),
    attributes,
    version: 1,
    creationDate: ctx.now()
  }
  ctx.store.commit([{ op: 'put', collection: 'thingGroups', key: thingGroupName, value: group }])
  return { body: { thingGroupName, thingGroupArn: group.thingGroupArn, thingGroupId: group.thingGroupId } }
}

function describeThingGroup(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const group = requireThingGroup(ctx, thingGroupNameOf(req))
  const ancestors = groupTree(ctx).ancestors(group.thingGroupName)
  return {
    body: {
      thingGroupName: group.thingGroupName,
      thingGroupId: group.thingGroupId,
      thingGroupArn: group.thingGroupArn,
      version: group.version,
      thingGroupProperties: {
        thingGroupDescription: group.description,
        attributePayload: { attributes: group.attributes }
      },
      thingGroupMetadata: {
        parentGroupName: group.parentGroupName,
        rootToParentThingGroups:
          ancestors.length === 0
            ? undefined
            : ancestors.map((ancestor) => ({ groupName: ancestor.thingGroupName, groupArn: ancestor.thingGroupArn })),
        creationDate: epochSeconds(group.creationDate)
      }
    }
  }
}

function assertExpectedVersion(group: ThingGroupRecord, expectedVersion: number | undefined): void {
  if (expectedVersion === undefined || expectedVersion === group.version) return
  throw versionConflict(
    `The version for thing group ${group.thingGroupName} does not match the expected version. ` +
      `Expected ${expectedVersion}, the group is at version ${group.version}; describe it again and retry.`
  )
}

function updateThingGroup(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const thingGroupName = thingGroupNameOf(req)
  const body = bodyObject(req)
  const properties = optionalObject(body, 'thingGroupProperties')
  if (properties === undefined)
    throw invalidRequest(
      "1 validation error detected: Value null at 'thingGroupProperties' failed to satisfy constraint: Member must not be null"
    )
  const expectedVersion = optionalInteger(body, 'expectedVersion')
  const description = optionalString(properties, 'thingGroupDescription', 'thingGroupProperties.thingGroupDescription')
  assertValid([[description, 'thingGroupProperties.thingGroupDescription', rules.description]])
  const payload = readAttributePayload(properties, 'attributePayload', 'thingGroupProperties.attributePayload')

  const group = requireThingGroup(ctx, thingGroupName)
  assertExpectedVersion(group, expectedVersion)
  const attributes = applyAttributePayload(group.attributes, payload)
  assertGroupAttributeCount(thingGroupName, attributes)

  const { description: previousDescription, ...rest } = group
  // An absent description keeps the old one; an empty one clears it.
  const newDescription = description === undefined ? previousDescription : description || undefined
  const updated: ThingGroupRecord = {
    ...rest,
    ...(newDescription === undefined ? {} : { description: newDescription }),
    attributes,
    version: group.version + 1
  }
  ctx.store.commit([{ op: 'put', collection: 'thingGroups', key: thingGroupName, value: updated }])
  return { body: { version: updated.version } }
}

function deleteThingGroup(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const thingGroupName = thingGroupNameOf(req)
  const expectedVersion = queryInteger(req, 'expectedVersion', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  const group = ctx.store.get<ThingGroupRecord>('thingGroups', thingGroupName)
  if (!group) return { body: {} }
  assertExpectedVersion(group, expectedVersion)
  if (groupTree(ctx).children(thingGroupName).length > 0)
    throw invalidRequest(
      `Cannot delete thing group : ${thingGroupName} when there are still child groups attached to it. ` +
        'Delete its child groups first.'
    )

  // Members simply leave the group and the group's policies go with it (DG thing-groups.md).
  const changes: Change[] = [{ op: 'delete', collection: 'thingGroups', key: thingGroupName }]
  for (const membership of membershipsOfGroup(ctx, thingGroupName))
    changes.push({ op: 'delete', collection: 'thingGroupMembers', key: memberKey(thingGroupName, membership.thingName) })
  for (const attachment of ctx.store.list<PolicyTargetRecord>('policyTargets'))
    if (attachment.target === group.thingGroupArn)
      changes.push({ op: 'delete', collection: 'policyTargets', key: `${attachment.policyName}\u0000${attachment.target}` })
  ctx.store.commit(changes)
  return { body: {} }
}

function listThingGroups(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const page = pageRequestOf(req, REGISTRY_PAGING)
  const parentGroup = queryString(req, 'parentGroup')
  const namePrefix = queryString(req, 'namePrefixFilter')
  // Without `recursive`, AWS lists descendants too (all groups when no parentGroup is given).
  const recursive = queryBoolean(req, 'recursive') ?? true
  assertValid([
    [parentGroup, 'parentGroup', rules.thingGroupName],
    [namePrefix, 'namePrefixFilter', rules.thingGroupName]
  ])

  const tree = groupTree(ctx)
  let candidates: ThingGroupRecord[]
  if (parentGroup !== undefined) {
    if (!tree.get(parentGroup)) throw notFound(`Thing group ${parentGroup} (parentGroup) cannot be found. Check the name.`)
    candidates = recursive ? tree.descendants(parentGroup) : tree.children(parentGroup)
  } else {
    candidates = recursive ? tree.all() : tree.roots()
  }
  if (namePrefix !== undefined) candidates = candidates.filter((group) => group.thingGroupName.startsWith(namePrefix))
  const { items, next: nextToken } = paginate(candidates, (group) => group.thingGroupName, page)
  return {
    body: {
      thingGroups: items.map((group) => ({ groupName: group.thingGroupName, groupArn: group.thingGroupArn })),
      nextToken
    }
  }
}
