import { paginateListThingPrincipals, type IoTClient } from '@aws-sdk/client-iot'
import { allItems } from '../aws'
import type { Vault } from './vault'

// Any id: AWS's are 64 hex digits, but emulators (moto) name certificates their own way.
const certificateIdInArn = /:cert\/([^/]+)$/

/**
 * The certificates attached to a thing (ListThingPrincipals), in AWS's order, and among them those
 * whose private key this vault holds: what connecting as the thing, writing its identity to a
 * board, or explaining its policy refusals start from. AWS's errors pass through.
 */
export async function thingCertificateKeys(iot: IoTClient, vault: Vault, thingName: string): Promise<{ certificateIds: string[]; withKeys: string[] }> {
  const arns = await allItems(paginateListThingPrincipals({ client: iot, pageSize: 250 }, { thingName }), (page) => page.principals)
  const certificateIds = arns.map((arn) => certificateIdInArn.exec(arn)?.[1]).filter((id): id is string => id !== undefined)
  const held = await Promise.all(certificateIds.map((id) => vault.has(id)))
  return { certificateIds, withKeys: certificateIds.filter((_, index) => held[index]) }
}
