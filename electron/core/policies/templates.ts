import { readFileSync } from 'node:fs'
import { maxPolicyDocumentChars, type PolicyTemplate } from '../../contract'
import { resourcePath } from '../certificates/resourcesDir'

const templates: readonly PolicyTemplate[] = ['shadow', 'shadow-jobs']
const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/
const accountPattern = /^\d{12}$/

/**
 * A least-privilege policy document from resources/policies/<template>.json with `{{region}}`,
 * `{{accountId}}` and `{{partition}}` (derived from the region) filled in, as compact JSON. AWS's
 * own policy variables such as `${iot:Connection.Thing.ThingName}` stay as they are.
 */
export function renderPolicyTemplate(template: PolicyTemplate, vars: { region: string; accountId: string }): string {
  if (!templates.includes(template)) throw new Error(`Unknown policy template "${String(template)}": choose one of ${templates.join(', ')}`)
  if (!regionPattern.test(vars?.region ?? '')) throw new Error(`"${vars?.region ?? ''}" is not an AWS region (expected something like eu-west-1)`)
  if (!accountPattern.test(vars?.accountId ?? '')) throw new Error(`"${vars?.accountId ?? ''}" is not an AWS account id (expected 12 digits)`)

  const source = readFileSync(resourcePath('policies', `${template}.json`), 'utf8')
  const values: Record<string, string> = { region: vars.region, accountId: vars.accountId, partition: partitionOf(vars.region) }
  const filled = source.replace(/\{\{(\w+)\}\}/g, (placeholder, name: string) => {
    const value = values[name]
    if (value === undefined) throw new Error(`The policy template ${template}.json uses an unknown placeholder ${placeholder}`)
    return value
  })
  const document = JSON.stringify(JSON.parse(filled))
  const significant = document.replace(/\s/g, '').length
  if (significant > maxPolicyDocumentChars)
    throw new Error(`The policy template ${template}.json renders to ${significant} characters; AWS allows ${maxPolicyDocumentChars} (not counting white space)`)
  return document
}

/** Region and account id from any AWS ARN, e.g. the certificate ARN AWS returns on creation. */
export function policyVarsFromArn(arn: string): { region: string; accountId: string } {
  const parts = typeof arn === 'string' ? arn.split(':') : []
  if (parts.length < 6 || parts[0] !== 'arn')
    throw new Error(`"${arn}" is not an ARN (expected arn:aws:iot:<region>:<account id>:<resource>)`)
  const [, , , region, accountId] = parts as [string, string, string, string, string]
  if (!regionPattern.test(region)) throw new Error(`The ARN "${arn}" has no region (expected something like eu-west-1 in its fourth field)`)
  if (!accountPattern.test(accountId)) throw new Error(`The ARN "${arn}" has no 12-digit account id in its fifth field`)
  return { region, accountId }
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  return 'aws'
}
