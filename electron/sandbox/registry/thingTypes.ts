import type { SandboxContext } from '../context'
import { alreadyExists, invalidRequest } from '../http/iotError'
import type { Route, SandboxRequest, SandboxResponse } from '../http/route'
import { assertValid, rules, type StringRule } from '../http/validate'
import type { ThingRecord, ThingTypeRecord } from '../state/records'
import { bodyObject, epochSeconds, optionalBoolean, optionalObject, optionalString, optionalStringList, queryString } from '../http/input'
import { requireThingType } from './lookups'
import { pageRequestOf, paginate, REGISTRY_PAGING } from '../http/paging'

// Thing types: CreateThingType, DescribeThingType, ListThingTypes, DeprecateThingType,
// DeleteThingType (research/iot-core.md §4.3).

export const MAX_SEARCHABLE_ATTRIBUTES = 3
/** A deprecated type can be deleted this long after its deprecation (DG thing-types.md). */
export const DELETE_DELAY_AFTER_DEPRECATION_MS = 5 * 60 * 1000

export function thingTypeRoutes(ctx: SandboxContext): Route[] {
  return [
    { operation: 'CreateThingType', method: 'POST', pattern: '/thing-types/{thingTypeName}', handler: (req) => createThingType(ctx, req) },
    { operation: 'DescribeThingType', method: 'GET', pattern: '/thing-types/{thingTypeName}', handler: (req) => describeThingType(ctx, req) },
    { operation: 'ListThingTypes', method: 'GET', pattern: '/thing-types', handler: (req) => listThingTypes(ctx, req) },
    {
      operation: 'DeprecateThingType',
      method: 'POST',
      pattern: '/thing-types/{thingTypeName}/deprecate',
      handler: (req) => deprecateThingType(ctx, req)
    },
    { operation: 'DeleteThingType', method: 'DELETE', pattern: '/thing-types/{thingTypeName}', handler: (req) => deleteThingType(ctx, req) }
  ]
}

function thingTypeNameOf(req: SandboxRequest): string {
  const thingTypeName = req.params.thingTypeName ?? ''
  assertValid([[thingTypeName, 'thingTypeName', rules.thingTypeName]])
  return thingTypeName
}

function createThingType(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const thingTypeName = thingTypeNameOf(req)
  const body = bodyObject(req)
  // mqtt5Configuration and tags are accepted and not kept: nothing in the sandbox reads them.
  const properties = optionalObject(body, 'thingTypeProperties') ?? {}
  const description = optionalString(properties, 'thingTypeDescription', 'thingTypeProperties.thingTypeDescription')
  const searchable =
    optionalStringList(properties, 'searchableAttributes', 'thingTypeProperties.searchableAttributes') ?? []
  assertValid([
    [description, 'thingTypeProperties.thingTypeDescription', rules.description],
    ...searchable.map((name): [string, string, StringRule] => [
      name,
      'thingTypeProperties.searchableAttributes.member',
      rules.attributeName
    ])
  ])
  if (searchable.length > MAX_SEARCHABLE_ATTRIBUTES)
    throw invalidRequest(
      `A thing type can have at most ${MAX_SEARCHABLE_ATTRIBUTES} searchable attributes; ${searchable.length} were given. ` +
        'Keep the ones you search by; the others can still be ordinary attributes.'
    )

  const existing = ctx.store.get<ThingTypeRecord>('thingTypes', thingTypeName)
  if (existing) {
    const same =
      existing.description === description &&
      existing.searchableAttributes.length === searchable.length &&
      existing.searchableAttributes.every((name, i) => name === searchable[i])
    if (same) return { body: { thingTypeName, thingTypeArn: existing.thingTypeArn, thingTypeId: existing.thingTypeId } }
    throw alreadyExists(
      `Thing type ${thingTypeName} already exists with a different description or searchable attributes. ` +
        'Thing types cannot be changed; choose another name.',
      existing.thingTypeId,
      existing.thingTypeArn
    )
  }

  const record: ThingTypeRecord = {
    thingTypeName,
    thingTypeId: ctx.newId(),
    thingTypeArn: ctx.arn(`thingtype/${thingTypeName}`),
    ...(description === undefined ? {} : { description }),
    searchableAttributes: searchable,
    deprecated: false,
    creationDate: ctx.now()
  }
  ctx.store.commit([{ op: 'put', collection: 'thingTypes', key: thingTypeName, value: record }])
  return { body: { thingTypeName, thingTypeArn: record.thingTypeArn, thingTypeId: record.thingTypeId } }
}

function wireProperties(type: ThingTypeRecord): unknown {
  return { thingTypeDescription: type.description, searchableAttributes: type.searchableAttributes }
}

function wireMetadata(type: ThingTypeRecord): unknown {
  return {
    deprecated: type.deprecated,
    deprecationDate: type.deprecationDate === undefined ? undefined : epochSeconds(type.deprecationDate),
    creationDate: epochSeconds(type.creationDate)
  }
}

function describeThingType(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const type = requireThingType(ctx, thingTypeNameOf(req))
  return {
    body: {
      thingTypeName: type.thingTypeName,
      thingTypeId: type.thingTypeId,
      thingTypeArn: type.thingTypeArn,
      thingTypeProperties: wireProperties(type),
      thingTypeMetadata: wireMetadata(type)
    }
  }
}

function listThingTypes(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const page = pageRequestOf(req, REGISTRY_PAGING)
  const nameFilter = queryString(req, 'thingTypeName')
  assertValid([[nameFilter, 'thingTypeName', rules.thingTypeName]])
  const types = ctx.store
    .list<ThingTypeRecord>('thingTypes')
    .filter((type) => nameFilter === undefined || type.thingTypeName === nameFilter)
  const { items, next: nextToken } = paginate(types, (type) => type.thingTypeName, page)
  return {
    body: {
      thingTypes: items.map((type) => ({
        thingTypeName: type.thingTypeName,
        thingTypeArn: type.thingTypeArn,
        thingTypeProperties: wireProperties(type),
        thingTypeMetadata: wireMetadata(type)
      })),
      nextToken
    }
  }
}

function deprecateThingType(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const thingTypeName = thingTypeNameOf(req)
  const undoDeprecate = optionalBoolean(bodyObject(req), 'undoDeprecate') ?? false
  const type = requireThingType(ctx, thingTypeName)
  let updated: ThingTypeRecord
  if (undoDeprecate) {
    const { deprecationDate: _dropped, ...rest } = type
    updated = { ...rest, deprecated: false }
  } else {
    // Deprecating again keeps the first date, so it does not push back the earliest deletion time.
    updated = type.deprecated ? type : { ...type, deprecated: true, deprecationDate: ctx.now() }
  }
  if (updated !== type) ctx.store.commit([{ op: 'put', collection: 'thingTypes', key: thingTypeName, value: updated }])
  return { body: {} }
}

function deleteThingType(ctx: SandboxContext, req: SandboxRequest): SandboxResponse {
  const thingTypeName = thingTypeNameOf(req)
  const type = requireThingType(ctx, thingTypeName)
  if (!type.deprecated || type.deprecationDate === undefined)
    throw invalidRequest(
      `Thing type ${thingTypeName} cannot be deleted because it is not deprecated. ` +
        'Deprecate it with DeprecateThingType, wait 5 minutes, then delete it.'
    )
  const deletableFrom = type.deprecationDate + DELETE_DELAY_AFTER_DEPRECATION_MS
  if (ctx.now() < deletableFrom)
    throw invalidRequest(
      `Thing type ${thingTypeName} was deprecated at ${new Date(type.deprecationDate).toISOString()} and can be deleted ` +
        `only 5 minutes after deprecation. Try again after ${new Date(deletableFrom).toISOString()}.`
    )
  const things = ctx.store.filter<ThingRecord>('things', (thing) => thing.thingTypeName === thingTypeName)
  if (things.length > 0) {
    const shown = things.slice(0, 5).map((thing) => thing.thingName).join(', ')
    throw invalidRequest(
      `Thing type ${thingTypeName} cannot be deleted while ${things.length} thing(s) still have it (${shown}${things.length > 5 ? ', …' : ''}). ` +
        'Remove the type from them (UpdateThing with removeThingType) or delete them first.'
    )
  }
  ctx.store.commit([{ op: 'delete', collection: 'thingTypes', key: thingTypeName }])
  return { body: {} }
}
