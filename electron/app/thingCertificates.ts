import { paginateListThingPrincipals } from '@aws-sdk/client-iot'
import type { Connection } from '../contract'
import { allItems } from '../core/aws'
import type { AppSession } from './session'

const certificateIdInArn = /:cert\/([0-9a-f]{64})$/

/** The certificates attached to a thing (ListThingPrincipals), each with whether this machine's vault holds its private key. AWS's errors pass through. */
export async function thingCertificates(session: AppSession, connection: Connection, thingName: string): Promise<Array<{ certificateId: string; keyInVault: boolean }>> {
  const client = await session.iotClient(connection)
  const arns = await allItems(paginateListThingPrincipals({ client, pageSize: 250 }, { thingName }), (page) => page.principals)
  const ids = arns.map((arn) => certificateIdInArn.exec(arn)?.[1]).filter((id): id is string => id !== undefined)
  return Promise.all(ids.map(async (certificateId) => ({ certificateId, keyInVault: await session.vault.has(certificateId) })))
}
