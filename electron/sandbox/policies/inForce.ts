import { GroupTree } from '../registry/hierarchy'
import type { CertificateRecord, PolicyRecord, PolicyTargetRecord, ThingGroupMemberRecord, ThingGroupRecord } from '../state/records'
import type { Store } from '../state/store'
import { policyInForce, type PolicyInForce } from './evaluate'

// Which policies apply (research/iot-core.md §3.5 steps 1–2): those attached to the certificate, plus
// those attached to every static group of the thing and to all their ancestors, each policy once and
// only in its default version. Read from the store on every call, so a change applies at once.

export interface AttachedPolicy extends PolicyInForce {
  defaultVersionId: string
  /** The ARN it is attached to: the certificate, the thing's group or one of its ancestors. */
  attachedTo: string
}

export interface PolicySources {
  /** The certificate whose own policies apply. */
  certificateId?: string
  /** The thing whose static groups' (and their ancestors') policies apply. */
  thingName?: string
  /** A thing group whose own and ancestors' policies apply (TestAuthorization with a group principal). */
  thingGroupName?: string
}

/** The policies in force, certificate first, then each group followed by its ancestors nearest first. */
export function policiesInForce(store: Store, sources: PolicySources): AttachedPolicy[] {
  const targets: string[] = []
  if (sources.certificateId !== undefined) {
    const certificate = store.get<CertificateRecord>('certificates', sources.certificateId.toLowerCase().replace(/^0x/, ''))
    if (certificate) targets.push(certificate.certificateArn)
  }
  const groupNames: string[] = []
  if (sources.thingName !== undefined)
    groupNames.push(
      ...store.filter<ThingGroupMemberRecord>('thingGroupMembers', (m) => m.thingName === sources.thingName).map((m) => m.thingGroupName)
    )
  if (sources.thingGroupName !== undefined) groupNames.push(sources.thingGroupName)
  if (groupNames.length > 0) {
    const tree = new GroupTree(store.list<ThingGroupRecord>('thingGroups'))
    for (const name of groupNames) {
      const group = tree.get(name)
      if (!group) continue
      targets.push(group.thingGroupArn, ...tree.ancestors(name).reverse().map((ancestor) => ancestor.thingGroupArn))
    }
  }
  const order = [...new Set(targets)]
  const wanted = new Set(order)
  const attachments = store.filter<PolicyTargetRecord>('policyTargets', (t) => wanted.has(t.target))
  attachments.sort((a, b) => order.indexOf(a.target) - order.indexOf(b.target))

  const seen = new Set<string>()
  const policies: AttachedPolicy[] = []
  for (const attachment of attachments) {
    if (seen.has(attachment.policyName)) continue
    seen.add(attachment.policyName)
    const policy = store.get<PolicyRecord>('policies', attachment.policyName)
    const inForce = policy && defaultVersionInForce(policy)
    if (!policy || !inForce) continue
    policies.push({
      ...inForce,
      defaultVersionId: policy.defaultVersionId,
      attachedTo: attachment.target
    })
  }
  return policies
}

/** The policy's default version as the policy engine reads it; undefined when the record lacks that version. */
export function defaultVersionInForce(policy: PolicyRecord): PolicyInForce | undefined {
  const version = policy.versions.find((v) => v.versionId === policy.defaultVersionId)
  return version && policyInForce(policy.policyName, policy.policyArn, version.document)
}
