import type { SandboxContext } from '../context'
import { notFound } from '../http/iotError'
import type { ThingGroupMemberRecord, ThingGroupRecord, ThingRecord, ThingTypeRecord } from '../state/records'

// Finding registry records, and the store keys they live under.

export const memberKey = (groupName: string, thingName: string): string => `${groupName}\u0000${thingName}`

export function requireThing(ctx: SandboxContext, thingName: string): ThingRecord {
  const thing = ctx.store.get<ThingRecord>('things', thingName)
  if (!thing) throw notFound(`Thing ${thingName} cannot be found. Check the name, or create it with CreateThing.`)
  return thing
}

export function requireThingType(ctx: SandboxContext, thingTypeName: string): ThingTypeRecord {
  const type = ctx.store.get<ThingTypeRecord>('thingTypes', thingTypeName)
  if (!type)
    throw notFound(`Thing type ${thingTypeName} cannot be found. Check the name, or create it with CreateThingType.`)
  return type
}

export function requireThingGroup(ctx: SandboxContext, groupName: string): ThingGroupRecord {
  const group = ctx.store.get<ThingGroupRecord>('thingGroups', groupName)
  if (!group)
    throw notFound(`Thing group ${groupName} cannot be found. Check the name, or create it with CreateThingGroup.`)
  return group
}

export function membershipsOfThing(ctx: SandboxContext, thingName: string): ThingGroupMemberRecord[] {
  return ctx.store.filter<ThingGroupMemberRecord>('thingGroupMembers', (m) => m.thingName === thingName)
}

export function membershipsOfGroup(ctx: SandboxContext, groupName: string): ThingGroupMemberRecord[] {
  return ctx.store.filter<ThingGroupMemberRecord>('thingGroupMembers', (m) => m.thingGroupName === groupName)
}
