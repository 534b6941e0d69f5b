import {
  CreateThingTypeCommand,
  DeleteThingTypeCommand,
  DeprecateThingTypeCommand,
  DescribeThingTypeCommand,
  paginateListThingTypes,
  type IoTClient,
  type ThingTypeDefinition
} from '@aws-sdk/client-iot'
import type { Handlers, ThingTypeSummary } from '../../contract'
import { allItems } from '../../core/aws'
import type { BackendContext } from './context'
import { isoDate } from './isoDate'

export function thingTypeHandlers(ctx: BackendContext): Pick<Handlers, 'thingTypes.list' | 'thingTypes.create' | 'thingTypes.deprecate' | 'thingTypes.delete'> {
  return {
    'thingTypes.list': async () => {
      const iot = await ctx.iot()
      const types = await allItems(paginateListThingTypes({ client: iot, pageSize: 250 }, {}), (page) => page.thingTypes)
      return types.map(summary)
    },
    'thingTypes.create': async ({ thingTypeName, description, searchableAttributes }) => {
      const iot = await ctx.iot()
      await iot.send(
        new CreateThingTypeCommand({
          thingTypeName,
          thingTypeProperties: {
            ...(description ? { thingTypeDescription: description } : {}),
            ...(searchableAttributes.length ? { searchableAttributes } : {})
          }
        })
      )
      return describeThingType(iot, thingTypeName)
    },
    'thingTypes.deprecate': async ({ thingTypeName, undo }) => {
      const iot = await ctx.iot()
      await iot.send(new DeprecateThingTypeCommand({ thingTypeName, undoDeprecate: undo }))
      return describeThingType(iot, thingTypeName)
    },
    'thingTypes.delete': async ({ thingTypeName }) => {
      const iot = await ctx.iot()
      const type = await describeThingType(iot, thingTypeName)
      // AWS's rule: deprecated first, deleted no sooner than 5 minutes later. Asked before calling,
      // so the UI can offer to deprecate, or say from when; AWS's clock still has the last word.
      if (!type.deprecated) return { deleted: false, reason: 'not-deprecated' }
      const deprecatedAt = type.deprecationDate ? Date.parse(type.deprecationDate) : NaN
      if (Number.isFinite(deprecatedAt) && Date.now() < deprecatedAt + deleteDelayAfterDeprecationMs)
        return { deleted: false, reason: 'too-soon', deletableFrom: new Date(deprecatedAt + deleteDelayAfterDeprecationMs).toISOString() }
      await iot.send(new DeleteThingTypeCommand({ thingTypeName }))
      return { deleted: true }
    }
  }
}

/** AWS deletes a thing type only 5 minutes after it was deprecated. */
const deleteDelayAfterDeprecationMs = 5 * 60 * 1000

async function describeThingType(iot: IoTClient, thingTypeName: string): Promise<ThingTypeSummary> {
  return summary(await iot.send(new DescribeThingTypeCommand({ thingTypeName })))
}

function summary(t: ThingTypeDefinition): ThingTypeSummary {
  const description = t.thingTypeProperties?.thingTypeDescription
  const deprecationDate = t.thingTypeMetadata?.deprecated ? isoDate(t.thingTypeMetadata.deprecationDate) : undefined
  return {
    thingTypeName: t.thingTypeName ?? '',
    thingTypeArn: t.thingTypeArn ?? '',
    ...(description ? { description } : {}),
    searchableAttributes: t.thingTypeProperties?.searchableAttributes ?? [],
    deprecated: t.thingTypeMetadata?.deprecated ?? false,
    ...(deprecationDate ? { deprecationDate } : {})
  }
}
