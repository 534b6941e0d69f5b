import type { SandboxContext } from '../context'
import type { Route } from '../http/route'
import { groupMembershipRoutes } from './groupMembership'
import { thingGroupRoutes } from './thingGroups'
import { thingRoutes } from './things'
import { thingTypeRoutes } from './thingTypes'

/** The registry's control-plane operations: things, thing types, thing groups and group membership. */
export function registryRoutes(ctx: SandboxContext): Route[] {
  return [...thingRoutes(ctx), ...thingTypeRoutes(ctx), ...thingGroupRoutes(ctx), ...groupMembershipRoutes(ctx)]
}
