import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  paginateListTargetsForPolicy,
  SetDefaultPolicyVersionCommand,
  type IoTClient
} from '@aws-sdk/client-iot'
import { policyTemplateSchema, type Handlers, type PolicyDetails, type PolicyTemplate } from '../../contract'
import { allItems } from '../../core/aws'
import { renderPolicyTemplate } from '../../core/policies/templates'
import { policyDocumentProblem } from '../../core/provisioning'
import type { BackendContext } from './context'
import { BackendError } from './errors'
import { isoDate } from './isoDate'

const titles: Record<PolicyTemplate, string> = {
  shadow: 'Device Shadow: the device connects as its thing and uses only its own shadow',
  'shadow-jobs': 'Device Shadow and Jobs: its own shadow, and its own jobs'
}

// Stand-ins that renderPolicyTemplate accepts, replaced by readable placeholders afterwards.
const stand = { region: 'zz-placeholder-9', accountId: '999999999999' }
const placeholder = { region: '<region>', accountId: '<account-id>' }
const awsRegion = /^[a-z]{2}(-[a-z]+)+-\d+$/

export function policyHandlers(
  ctx: BackendContext
): Pick<
  Handlers,
  | 'policies.templates'
  | 'policies.checkDocument'
  | 'policies.list'
  | 'policies.describe'
  | 'policies.version'
  | 'policies.setDefaultVersion'
  | 'policies.create'
  | 'policies.createVersion'
  | 'policies.deleteVersion'
> {
  return {
    'policies.templates': async () => {
      const where = await accountAndRegion(ctx)
      return policyTemplateSchema.options.map((template) => ({ template, title: titles[template], document: renderWithPlaceholders(template, where) }))
    },
    'policies.checkDocument': async ({ document }) => ({ problem: policyDocumentProblem(document) }),
    'policies.list': async ({ nextToken, maxResults }) => {
      const iot = await ctx.iot()
      const out = await iot.send(new ListPoliciesCommand({ marker: nextToken, pageSize: maxResults }))
      return {
        policies: (out.policies ?? []).map((p) => ({ policyName: p.policyName ?? '', policyArn: p.policyArn ?? '' })),
        ...(out.nextMarker ? { nextToken: out.nextMarker } : {})
      }
    },
    'policies.describe': async ({ policyName }) => describePolicy(await ctx.iot(), policyName),
    'policies.version': async ({ policyName, versionId }) => {
      const iot = await ctx.iot()
      const out = await iot.send(new GetPolicyVersionCommand({ policyName, policyVersionId: versionId }))
      return { versionId: out.policyVersionId ?? versionId, document: out.policyDocument ?? '', isDefaultVersion: out.isDefaultVersion ?? false }
    },
    'policies.setDefaultVersion': async ({ policyName, versionId }) => {
      const iot = await ctx.iot()
      await iot.send(new SetDefaultPolicyVersionCommand({ policyName, policyVersionId: versionId }))
      return describePolicy(iot, policyName)
    },
    'policies.create': async ({ policyName, document }) => {
      assertWellFormed(document)
      const iot = await ctx.iot()
      await iot.send(new CreatePolicyCommand({ policyName, policyDocument: document }))
      return describePolicy(iot, policyName)
    },
    'policies.createVersion': async ({ policyName, document, setAsDefault }) => {
      assertWellFormed(document)
      const iot = await ctx.iot()
      await iot.send(new CreatePolicyVersionCommand({ policyName, policyDocument: document, setAsDefault }))
      return describePolicy(iot, policyName)
    },
    'policies.deleteVersion': async ({ policyName, versionId }) => {
      const iot = await ctx.iot()
      await iot.send(new DeletePolicyVersionCommand({ policyName, policyVersionId: versionId }))
      return describePolicy(iot, policyName)
    }
  }
}

/** The grammar the Local IoT Core enforces, checked before any call: a bad document changes nothing. */
function assertWellFormed(document: string): void {
  const problem = policyDocumentProblem(document)
  if (problem) throw new BackendError('MalformedPolicyException', problem)
}

async function describePolicy(iot: IoTClient, policyName: string): Promise<PolicyDetails> {
  const [policy, versions, targets] = await Promise.all([
    iot.send(new GetPolicyCommand({ policyName })),
    // ListPolicyVersions is not paged: a policy keeps at most five versions.
    iot.send(new ListPolicyVersionsCommand({ policyName })),
    allItems(paginateListTargetsForPolicy({ client: iot, pageSize: 250 }, { policyName }), (page) => page.targets)
  ])
  return {
    policyName: policy.policyName ?? policyName,
    policyArn: policy.policyArn ?? '',
    defaultVersionId: policy.defaultVersionId ?? '',
    versions: (versions.policyVersions ?? []).map((v) => {
      const createDate = isoDate(v.createDate)
      return { versionId: v.versionId ?? '', isDefaultVersion: v.isDefaultVersion ?? false, ...(createDate ? { createDate } : {}) }
    }),
    targets
  }
}

/**
 * The chosen connection's account and region where known without extra calls: both for the Local
 * IoT Core, the region for a profile or an endpoint (an account id would need STS).
 */
async function accountAndRegion(ctx: BackendContext): Promise<{ region?: string; accountId?: string }> {
  const connection = ctx.connection()
  switch (connection.kind) {
    case 'local': {
      const core = await ctx.session.localIotCore()
      return { region: core.region, accountId: core.accountId }
    }
    case 'endpoint':
      return { region: connection.region }
    case 'profile':
      return { region: await ctx.session.profileRegion(connection) }
  }
}

/** The template as an editor starts from it: pretty JSON, with placeholders for what is not known. */
function renderWithPlaceholders(template: PolicyTemplate, where: { region?: string; accountId?: string }): string {
  const region = where.region && awsRegion.test(where.region) ? where.region : stand.region
  const compact = renderPolicyTemplate(template, { region, accountId: where.accountId ?? stand.accountId })
  const pretty = JSON.stringify(JSON.parse(compact), null, 2)
  return pretty.replaceAll(`:${stand.region}:`, `:${placeholder.region}:`).replaceAll(`:${stand.accountId}:`, `:${placeholder.accountId}:`)
}
