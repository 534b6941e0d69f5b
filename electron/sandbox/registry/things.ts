import type { SandboxContext } from '../context'
import { alreadyExists, invalidRequest, notFound, versionConflict } from '../http/iotError'
import type { Route, SandboxRequest, SandboxResponse } from '../http/route'
import { assertValid, rules } from '../http/validate'
import type { Change } from '../state/store'
import type { ThingPrincipalRecord, ThingRecord } from '../state/records'
import {
  applyAttributePayload,
  assertThingAttributeCount,
  readAttributePayload,
  sameAttributes
} from './attributes'
import { bodyObject, optionalBoolean, optionalInteger, optionalString, queryBoolean, queryInteger, queryString } from '../http/input'
import { memberKey, membershipsOfThing, requireThing, requireThingType } from './lookups'
import { pageRequestOf, paginate, REGISTRY_PAGING } from '../http/paging'

// Things: CreateThing, DescribeThing, UpdateThing, DeleteThing, ListThings (research/iot-core.md §4.2).

export function thingRoutes(ctx: SandboxContext): Route[] {
  return [
    { operation: 'CreateThing', method: 'POST', pattern: '/things/{thingName}', handler: (req) => createThing(ctx, req) },
    { operation: 'DescribeThing', method: 'GET', pattern: '/things/{thingName}', handler: (req) => describeThing(ctx, req) },
    { operation: 'UpdateThing', method: 'PATCH', pattern: '/things/{thingName}', handler: (req) => updateThing(ctx, req) },
    { operation: 'DeleteThing', method: 'DELETE', pattern: '/things/{thingName}', handler: (req) => deleteThing(ctx, req) },
    { operation: 'ListThings', method: 'GET', pattern: '/things', handler: (req) => listThings(ctx, req) }
  ]
}

function thingNameOf(req: SandboxRequest): string {
  const thingName = req.params.thingName ?? ''
  assertValid([[thingName, 'thingName', rules.thingName]])
  return thingName
}

/** A deprecated type can't be given to a thing (DG thing-types.md). */
function requireUsableThingType(ctx: SandboxContext, thingTypeName: string): void {
  const type = requireThingType(ctx, thingTypeName)
  if (type.deprecated)
    throw invalidRequest(
      `Can not create new thing with deprecated thing type:${thingTypeName}. ` +
        'Choose another thing type, or undo the deprecation with DeprecateThingType (undoDeprecate: true).'
    )
}

/** Builds the record without an undefined thingTypeName member. */
function withType(thing: ThingRecord, thingTypeName: string | undefined): ThingRecord {
  const { thingTypeName: _previous, ...rest } = thing
  return thingTypeName === undefined ? rest : { ...rest, thingTypeName }
}

function createThing(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const thingName = thingNameOf(req)
  const body = bodyObject(req)
  const thingTypeName = optionalString(body, 'thingTypeName')
  const billingGroupName = optionalString(body, 'billingGroupName')
  assertValid([
    [thingTypeName, 'thingTypeName', rules.thingTypeName],
    [billingGroupName, 'billingGroupName', rules.thingGroupName]
  ])
  const attributes = applyAttributePayload({}, readAttributePayload(body, 'attributePayload', 'attributePayload'))
  assertThingAttributeCount(thingName, attributes, thingTypeName !== undefined)
  if (billingGroupName !== undefined)
    throw notFound(
      `Billing group ${billingGroupName} cannot be found: the Local IoT Core has no billing groups. Leave billingGroupName out.`
    )

  const existing = ctx.store.get<ThingRecord>('things', thingName)
  if (existing) {
    // Same name and same configuration: AWS answers with the existing thing (idempotent create).
    if (existing.thingTypeName === thingTypeName && sameAttributes(existing.attributes, attributes))
      return { body: { thingName, thingArn: existing.thingArn, thingId: existing.thingId } }
    throw alreadyExists(
      `Thing ${thingName} already exists in account with different attributes. ` +
        'Use UpdateThing to change it, or choose another name.',
      existing.thingId,
      existing.thingArn
    )
  }
  if (thingTypeName !== undefined) requireUsableThingType(ctx, thingTypeName)

  const thing = withType(
    {
      thingName,
      thingId: ctx.newId(),
      thingArn: ctx.arn(`thing/${thingName}`),
      attributes,
      version: 1,
      creationDate: ctx.now()
    },
    thingTypeName
  )
  ctx.store.commit([{ op: 'put', collection: 'things', key: thingName, value: thing }])
  return { body: { thingName, thingArn: thing.thingArn, thingId: thing.thingId } }
}

function describeThing(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const thing = requireThing(ctx, thingNameOf(req))
  return {
    body: {
      defaultClientId: thing.thingName,
      thingName: thing.thingName,
      thingId: thing.thingId,
      thingArn: thing.thingArn,
      thingTypeName: thing.thingTypeName,
      attributes: thing.attributes,
      version: thing.version
    }
  }
}

function assertExpectedVersion(thing: ThingRecord, expectedVersion: number | undefined): void {
  if (expectedVersion === undefined || expectedVersion === thing.version) return
  throw versionConflict(
    `The version for thing ${thing.thingName} does not match the expected version. ` +
      `Expected ${expectedVersion}, the thing is at version ${thing.version}; describe it again and retry.`
  )
}

function updateThing(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const thingName = thingNameOf(req)
  const body = bodyObject(req)
  const thingTypeName = optionalString(body, 'thingTypeName')
  const removeThingType = optionalBoolean(body, 'removeThingType') ?? false
  const expectedVersion = optionalInteger(body, 'expectedVersion')
  assertValid([[thingTypeName, 'thingTypeName', rules.thingTypeName]])
  const payload = readAttributePayload(body, 'attributePayload', 'attributePayload')
  if (thingTypeName !== undefined && removeThingType)
    throw invalidRequest(
      'Specify either thingTypeName (to change the thing type) or removeThingType: true (to remove it), not both.'
    )

  const thing = requireThing(ctx, thingName)
  assertExpectedVersion(thing, expectedVersion)
  let newTypeName = thing.thingTypeName
  if (removeThingType) newTypeName = undefined
  else if (thingTypeName !== undefined && thingTypeName !== thing.thingTypeName) {
    requireUsableThingType(ctx, thingTypeName)
    newTypeName = thingTypeName
  }
  const attributes = applyAttributePayload(thing.attributes, payload)
  assertThingAttributeCount(thingName, attributes, newTypeName !== undefined)

  const updated = withType({ ...thing, attributes, version: thing.version + 1 }, newTypeName)
  ctx.store.commit([{ op: 'put', collection: 'things', key: thingName, value: updated }])
  return { body: {} }
}

function deleteThing(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const thingName = thingNameOf(req)
  const expectedVersion = queryInteger(req, 'expectedVersion', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  const thing = ctx.store.get<ThingRecord>('things', thingName)
  // Deleting a thing that is not there succeeds (MODEL-IOT), so retries are safe.
  if (!thing) return { body: {} }
  assertExpectedVersion(thing, expectedVersion)
  const attached = ctx.store.some<ThingPrincipalRecord>('thingPrincipals', (p) => p.thingName === thingName)
  if (attached)
    throw invalidRequest(
      `Cannot delete. Thing ${thingName} is still attached to one or more principals. ` +
        'Detach them with DetachThingPrincipal, then delete the thing.'
    )

  const changes: Change[] = [{ op: 'delete', collection: 'things', key: thingName }]
  for (const membership of membershipsOfThing(ctx, thingName))
    changes.push({ op: 'delete', collection: 'thingGroupMembers', key: memberKey(membership.thingGroupName, thingName) })
  ctx.store.commit(changes)
  return { body: {} }
}

function listThings(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const page = pageRequestOf(req, REGISTRY_PAGING)
  const attributeName = queryString(req, 'attributeName')
  const attributeValue = queryString(req, 'attributeValue')
  const thingTypeName = queryString(req, 'thingTypeName')
  const usePrefix = queryBoolean(req, 'usePrefixAttributeValue') ?? false
  assertValid([
    [attributeName, 'attributeName', rules.attributeName],
    [attributeValue, 'attributeValue', rules.attributeValue],
    [thingTypeName, 'thingTypeName', rules.thingTypeName]
  ])
  if (attributeValue !== undefined && attributeName === undefined)
    throw invalidRequest('attributeValue filters by an attribute: give attributeName as well.')
  if (usePrefix && attributeValue === undefined)
    throw invalidRequest('usePrefixAttributeValue needs attributeName and attributeValue (the prefix to match).')

  const matches = ctx.store.filter<ThingRecord>('things', (thing) => {
    if (thingTypeName !== undefined && thing.thingTypeName !== thingTypeName) return false
    if (attributeName === undefined) return true
    if (!Object.hasOwn(thing.attributes, attributeName)) return false
    const value = thing.attributes[attributeName]!
    if (attributeValue === undefined) return true
    return usePrefix ? value.startsWith(attributeValue) : value === attributeValue
  })
  const { items, next: nextToken } = paginate(matches, (thing) => thing.thingName, page)
  return {
    body: {
      things: items.map((thing) => ({
        thingName: thing.thingName,
        thingTypeName: thing.thingTypeName,
        thingArn: thing.thingArn,
        attributes: thing.attributes,
        version: thing.version
      })),
      nextToken
    }
  }
}
