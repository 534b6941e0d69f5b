import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { maxPolicyDocumentChars } from '../../../electron/contract'
import { policyVarsFromArn, renderPolicyTemplate } from '../../../electron/core/policies/templates'

interface Statement {
  Effect: string
  Action: string | string[]
  Resource: string | string[]
}

const vars = { region: 'eu-west-1', accountId: '123456789012' }
const thing = '${iot:Connection.Thing.ThingName}'
const prefix = 'arn:aws:iot:eu-west-1:123456789012:'
const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value])

/** Every (action, resource) pair a rendered policy allows. */
function grants(document: string): Array<[string, string]> {
  const statements = JSON.parse(document).Statement as Statement[]
  return statements.flatMap((statement) => {
    expect(statement.Effect).toBe('Allow')
    return asList(statement.Action).flatMap((action) => asList(statement.Resource).map((resource): [string, string] => [action, resource]))
  })
}

describe('renderPolicyTemplate', () => {
  it.each(['shadow', 'shadow-jobs'] as const)('renders %s as compact JSON with AWS’s policy variables kept literal', (template) => {
    const document = renderPolicyTemplate(template, vars)
    expect(JSON.parse(document).Version).toBe('2012-10-17')
    expect(document).not.toContain('{{')
    expect(document).not.toMatch(/\s/)
    expect(document).toContain(thing)
    expect(document.length).toBeLessThanOrEqual(maxPolicyDocumentChars)
  })

  it('shadow: connect only as the thing, publish/receive/subscribe only on that thing’s shadow topics', () => {
    expect(grants(renderPolicyTemplate('shadow', vars)).sort()).toEqual(
      [
        ['iot:Connect', `${prefix}client/${thing}`],
        ['iot:Publish', `${prefix}topic/$aws/things/${thing}/shadow/*`],
        ['iot:Receive', `${prefix}topic/$aws/things/${thing}/shadow/*`],
        ['iot:Subscribe', `${prefix}topicfilter/$aws/things/${thing}/shadow/*`]
      ].sort()
    )
  })

  it('shadow-jobs: the same plus the thing’s own jobs topics, and nothing else', () => {
    const allowed = grants(renderPolicyTemplate('shadow-jobs', vars))
    for (const [action, resource] of allowed) {
      expect(['iot:Connect', 'iot:Publish', 'iot:Receive', 'iot:Subscribe']).toContain(action)
      expect(resource.startsWith(prefix)).toBe(true)
      expect(resource).toContain(thing)
      const scope = resource.slice(prefix.length)
      if (action === 'iot:Connect') expect(scope).toBe(`client/${thing}`)
      else
        expect([`$aws/things/${thing}/shadow/*`, `$aws/things/${thing}/jobs/*`]).toContain(
          scope.replace(action === 'iot:Subscribe' ? /^topicfilter\// : /^topic\//, '')
        )
    }
    expect(allowed.filter(([, resource]) => resource.includes('/jobs/')).map(([action]) => action).sort()).toEqual(['iot:Publish', 'iot:Receive', 'iot:Subscribe'])
  })

  it('uses the partition of the region', () => {
    expect(renderPolicyTemplate('shadow', { region: 'cn-north-1', accountId: '123456789012' })).toContain('arn:aws-cn:iot:cn-north-1:123456789012:client/')
  })

  it('refuses values that would make a wrong or broken policy', () => {
    expect(() => renderPolicyTemplate('shadow', { region: 'eu-west-1', accountId: '1234' })).toThrow(/not an AWS account id \(expected 12 digits\)/)
    expect(() => renderPolicyTemplate('shadow', { region: 'eu-west-1"', accountId: '123456789012' })).toThrow(/not an AWS region/)
    expect(() => renderPolicyTemplate('fleet' as never, vars)).toThrow(/Unknown policy template "fleet"/)
  })

  it('reads the templates from THINGBENCH_RESOURCES_DIR when the packaged app sets it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'thingbench-resources-'))
    const saved = process.env.THINGBENCH_RESOURCES_DIR
    try {
      await mkdir(join(dir, 'policies'))
      await writeFile(
        join(dir, 'policies', 'shadow.json'),
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:{{region}}:{{accountId}}:client/override"}]}'
      )
      process.env.THINGBENCH_RESOURCES_DIR = dir
      expect(renderPolicyTemplate('shadow', vars)).toContain(`${prefix}client/override`)
    } finally {
      if (saved === undefined) delete process.env.THINGBENCH_RESOURCES_DIR
      else process.env.THINGBENCH_RESOURCES_DIR = saved
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('policyVarsFromArn', () => {
  it('takes region and account from the certificate ARN AWS returns', () => {
    expect(policyVarsFromArn('arn:aws:iot:eu-west-1:123456789012:cert/0a1b2c')).toEqual(vars)
    expect(policyVarsFromArn('arn:aws-us-gov:iot:us-gov-west-1:210987654321:thing/lamp-1')).toEqual({ region: 'us-gov-west-1', accountId: '210987654321' })
  })

  it('says what is wrong with a value that is not a usable ARN', () => {
    expect(() => policyVarsFromArn('')).toThrow(/is not an ARN/)
    expect(() => policyVarsFromArn('arn:aws:iot::123456789012:cert/x')).toThrow(/has no region/)
    expect(() => policyVarsFromArn('arn:aws:iot:eu-west-1:acct:cert/x')).toThrow(/no 12-digit account id/)
  })
})
