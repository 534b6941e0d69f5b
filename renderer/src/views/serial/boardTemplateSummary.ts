import type { BoardTemplate } from '../../stores/useBoardProvisioningStore'

/** The last choices in a line a technician checks before one click: type, groups, policy, certificate. */
export function templateSummary(template: BoardTemplate): string {
  const groups = template.groups ?? []
  const policy = template.policy
  const policyWords =
    !policy || policy.mode === 'template'
      ? `policy ${policy?.policyName ?? `from the ${policy?.template ?? 'shadow'} template`}`
      : policy.mode === 'none'
        ? 'no policy'
        : `policy ${policy.policyName}`
  const certificate = template.certificate
  const certificateWords = certificate?.mode === 'aws' ? 'certificate and key made by AWS' : 'key made here, certificate signed by AWS'
  const attributes = Object.keys(template.attributes ?? {}).length
  return [
    template.thingTypeName ? `type ${template.thingTypeName}` : 'no type',
    ...(attributes ? [`${attributes} attribute${attributes === 1 ? '' : 's'}`] : []),
    groups.length ? `group${groups.length === 1 ? '' : 's'} ${groups.join(', ')}` : 'no group',
    policyWords,
    certificateWords,
    ...(template.wifiSsid ? [`Wi-Fi ${template.wifiSsid}`] : [])
  ].join(', ')
}
