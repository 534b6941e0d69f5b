import {
  ListCertificatesCommand,
  ListPoliciesCommand,
  ListTargetsForPolicyCommand,
  ListThingGroupsCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand,
  ListThingsInThingGroupCommand,
  type IoTClient
} from '@aws-sdk/client-iot'

/**
 * Everything in the account a provisioning run can touch, read with list calls, so a test can
 * compare before and after ("nothing left behind").
 */
export async function inventory(iot: IoTClient) {
  const things = ((await iot.send(new ListThingsCommand({ maxResults: 250 }))).things ?? []).map((t) => t.thingName!).sort()
  const certificates = ((await iot.send(new ListCertificatesCommand({ pageSize: 250 }))).certificates ?? [])
    .map((c) => ({ certificateId: c.certificateId!, status: c.status! }))
    .sort((a, b) => a.certificateId.localeCompare(b.certificateId))
  const policyNames = ((await iot.send(new ListPoliciesCommand({ pageSize: 250 }))).policies ?? []).map((p) => p.policyName!).sort()
  const policyTargets: Record<string, string[]> = {}
  for (const policyName of policyNames)
    policyTargets[policyName] = ((await iot.send(new ListTargetsForPolicyCommand({ policyName, pageSize: 250 }))).targets ?? []).sort()
  const thingPrincipals: Record<string, string[]> = {}
  for (const thingName of things)
    thingPrincipals[thingName] = ((await iot.send(new ListThingPrincipalsCommand({ thingName }))).principals ?? []).sort()
  const groupNames = ((await iot.send(new ListThingGroupsCommand({ maxResults: 250 }))).thingGroups ?? []).map((g) => g.groupName!).sort()
  const groupMembers: Record<string, string[]> = {}
  for (const thingGroupName of groupNames)
    groupMembers[thingGroupName] = ((await iot.send(new ListThingsInThingGroupCommand({ thingGroupName, maxResults: 250 }))).things ?? []).sort()
  return { things, certificates, policyTargets, thingPrincipals, groupMembers }
}
