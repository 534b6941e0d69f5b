import {
  DescribeCertificateCommand,
  DescribeThingCommand,
  GetThingConnectivityDataCommand,
  ListThingsCommand,
  paginateListThingGroupsForThing,
  paginateListThingPrincipals,
  UpdateThingCommand,
  type IoTClient
} from '@aws-sdk/client-iot'
import { attributeNameSchema, attributeValueSchema, firstProblem, type Handlers, type ThingDetails } from '../../contract'
import { allItems, describeAwsError } from '../../core/aws'
import { deprovision, DeprovisionError } from '../../core/provisioning'
import type { Vault } from '../../core/vault'
import type { BackendContext } from './context'
import { BackendError, invalidArguments } from './errors'

const certificateIdInArn = /:cert\/([0-9a-f]{64})$/

export function thingHandlers(ctx: BackendContext): Pick<Handlers, 'things.list' | 'things.describe' | 'things.connectivity' | 'things.updateAttributes' | 'things.deprovision'> {
  return {
    'things.list': async ({ nextToken, maxResults, thingTypeName, attributeName, attributeValue }) => {
      if (attributeValue !== undefined && attributeName === undefined)
        throw invalidArguments('things.list', 'attributeValue', 'filtering by an attribute value needs the attribute name too')
      const iot = await ctx.iot()
      const out = await iot.send(new ListThingsCommand({ nextToken, maxResults, thingTypeName, attributeName, attributeValue }))
      return {
        things: (out.things ?? []).map((t) => ({
          thingName: t.thingName ?? '',
          thingArn: t.thingArn ?? '',
          ...(t.thingTypeName ? { thingTypeName: t.thingTypeName } : {}),
          attributes: t.attributes ?? {},
          ...(t.version !== undefined ? { version: t.version } : {})
        })),
        ...(out.nextToken ? { nextToken: out.nextToken } : {})
      }
    },
    'things.describe': async ({ thingName }) => describeThing(await ctx.iot(), ctx.session.vault, thingName),
    'things.connectivity': async ({ thingName }) => {
      const iot = await ctx.iot()
      try {
        const out = await iot.send(new GetThingConnectivityDataCommand({ thingName }))
        return {
          known: true,
          connected: out.connected ?? false,
          ...(out.timestamp ? { since: out.timestamp.getTime() } : {}),
          ...(out.disconnectReason && out.disconnectReason !== 'NONE' ? { disconnectReason: out.disconnectReason } : {})
        }
      } catch (error) {
        // The thing itself missing is the caller's mistake; anything else (connectivity indexing off, no permission) only means "cannot say".
        const { errorName, message } = describeAwsError(error)
        if (errorName === 'ResourceNotFoundException') throw new BackendError(errorName, message)
        const firstLine = message.split('\n')[0]!.trim()
        return { known: false, why: `The account did not answer GetThingConnectivityData (${errorName}: ${firstLine}); AWS answers it once fleet indexing's thing connectivity mode is on.` }
      }
    },
    'things.updateAttributes': async ({ thingName, attributes }) => {
      for (const [name, value] of Object.entries(attributes)) {
        const problem = firstProblem(attributeNameSchema, name) ?? (value === null ? null : firstProblem(attributeValueSchema, value))
        if (problem) throw invalidArguments('things.updateAttributes', `attributes.${name}`, problem)
      }
      const iot = await ctx.iot()
      if (Object.keys(attributes).length) {
        // AWS's merge: listed attributes are set, an empty value removes one, the others stay.
        const payload = Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, value ?? '']))
        await iot.send(new UpdateThingCommand({ thingName, attributePayload: { attributes: payload, merge: true } }))
      }
      return describeThing(iot, ctx.session.vault, thingName)
    },
    'things.deprovision': async ({ thingName, deletePolicy, dryRun }) => {
      try {
        return await deprovision({ thingName, deletePolicy, dryRun }, { iot: await ctx.iot(), vault: ctx.session.vault })
      } catch (error) {
        // The UI shows AWS's name for the call that stopped it; the message says what was done before.
        if (error instanceof DeprovisionError) throw new BackendError(error.errorName, error.message)
        throw error
      }
    }
  }
}

async function describeThing(iot: IoTClient, vault: Vault, thingName: string): Promise<ThingDetails> {
  const thing = await iot.send(new DescribeThingCommand({ thingName }))
  const [principalArns, groups] = await Promise.all([
    allItems(paginateListThingPrincipals({ client: iot, pageSize: 250 }, { thingName }), (page) => page.principals),
    allItems(paginateListThingGroupsForThing({ client: iot, pageSize: 250 }, { thingName }), (page) => page.thingGroups?.map((g) => g.groupName ?? ''))
  ])
  const principals = await Promise.all(
    principalArns.map(async (certificateArn) => {
      const certificateId = certificateIdInArn.exec(certificateArn)?.[1]
      if (!certificateId) return { certificateArn, certificateId: '', keyInVault: false }
      const [status, keyInVault] = await Promise.all([certificateStatus(iot, certificateId), vault.has(certificateId)])
      return { certificateArn, certificateId, ...(status ? { status } : {}), keyInVault }
    })
  )
  return {
    thingName: thing.thingName ?? thingName,
    thingArn: thing.thingArn ?? '',
    ...(thing.thingTypeName ? { thingTypeName: thing.thingTypeName } : {}),
    attributes: thing.attributes ?? {},
    ...(thing.version !== undefined ? { version: thing.version } : {}),
    principals,
    groups
  }
}

/** A certificate deleted meanwhile has no status; the thing is still worth showing. */
async function certificateStatus(iot: IoTClient, certificateId: string): Promise<string | undefined> {
  try {
    const out = await iot.send(new DescribeCertificateCommand({ certificateId }))
    return out.certificateDescription?.status
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined
    throw error
  }
}
