import {
  DescribeCertificateCommand,
  DescribeThingCommand,
  GetEffectivePoliciesCommand,
  TestAuthorizationCommand,
  type AuthDecision,
  type IoTClient
} from '@aws-sdk/client-iot'
import type { Handlers, ParsedArgs, PolicyStatementView, RefusableAction, RefusalExplanation } from '../../contract'
import { thingCertificateKeys } from '../../core/vault'
import { certificateFacts, type CertificateFacts } from '../../sandbox/policies/certificateFacts'
import { evaluateAuthorization, policyInForce, type StatementMatch } from '../../sandbox/policies/evaluate'
import { literalPattern, patternMatches } from '../../sandbox/policies/pattern'
import type { AuthorizationContext } from '../../sandbox/policies/variables'
import type { BackendContext } from './context'
import { BackendError } from './errors'

// policies.explainRefusal: AWS's broker refuses a device without saying why, so the answer comes from
// the control plane, as the AWS console's policy tester does. TestAuthorization decides (it is the
// broker's own engine on AWS and in the Local IoT Core); the statements that decided come from the
// documents GetEffectivePolicies returns, read with the Local IoT Core's policy engine.

const actionTypes: Record<RefusableAction, { actionType: 'CONNECT' | 'PUBLISH' | 'SUBSCRIBE' | 'RECEIVE'; iamAction: string; arnKind: string; noun: string }> = {
  connect: { actionType: 'CONNECT', iamAction: 'iot:Connect', arnKind: 'client', noun: 'connecting with client id' },
  publish: { actionType: 'PUBLISH', iamAction: 'iot:Publish', arnKind: 'topic', noun: 'publishing to' },
  subscribe: { actionType: 'SUBSCRIBE', iamAction: 'iot:Subscribe', arnKind: 'topicfilter', noun: 'subscribing to' },
  receive: { actionType: 'RECEIVE', iamAction: 'iot:Receive', arnKind: 'topic', noun: 'receiving from' }
}

interface Principal {
  certificateId: string
  certificateArn: string
  certificatePem: string
}

export function refusalHandlers(ctx: BackendContext): Pick<Handlers, 'policies.explainRefusal'> {
  return { 'policies.explainRefusal': async (args) => explainRefusal(ctx, await ctx.iot(), args) }
}

async function explainRefusal(ctx: BackendContext, iot: IoTClient, args: ParsedArgs<'policies.explainRefusal'>): Promise<RefusalExplanation> {
  const { thingName, action } = args
  const principal = await principalOf(ctx, iot, args)
  const clientId = args.clientId ?? thingName ?? (action === 'connect' ? args.resource : undefined)
  if (clientId === undefined) throw new BackendError('InvalidArguments', 'policies.explainRefusal: clientId: give the client id the device connects with (there is no thing name to default to)')
  const { actionType, iamAction, arnKind, noun } = actionTypes[action]
  const resource = args.resource ?? clientId
  const arnPrefix = /^(arn:[^:]+:iot:[^:]+:[^:]+):cert\//.exec(principal.certificateArn)?.[1]
  if (!arnPrefix) throw new BackendError('InvalidArguments', `policies.explainRefusal: the certificate ARN ${principal.certificateArn} does not name a region and account`)
  const resourceArn = `${arnPrefix}:${arnKind}/${resource}`

  const [tested, effective, thing] = await Promise.all([
    iot.send(new TestAuthorizationCommand({ principal: principal.certificateArn, clientId, authInfos: [{ actionType, resources: [resourceArn] }] })),
    iot.send(new GetEffectivePoliciesCommand({ principal: principal.certificateArn, ...(thingName ? { thingName } : {}) })),
    thingName ? iot.send(new DescribeThingCommand({ thingName })) : undefined
  ])
  const result = tested.authResults?.[0]
  const decision: AuthDecision = result?.authDecision ?? 'IMPLICIT_DENY'
  const documents = (effective.effectivePolicies ?? []).map((p) => ({ policyName: p.policyName ?? '', policyArn: p.policyArn ?? '', document: p.policyDocument ?? '' }))

  // The statements behind AWS's decision, found with the same grammar and variables the broker uses.
  const context: AuthorizationContext = {
    clientId,
    ...(thing?.thingName
      ? { thing: { thingName: thing.thingName, ...(thing.thingTypeName ? { thingTypeName: thing.thingTypeName } : {}), attributes: thing.attributes ?? {}, isAttached: true } }
      : {}),
    ...withFacts(principal.certificatePem)
  }
  const policies = documents.map((d) => policyInForce(d.policyName, d.policyArn, d.document))
  const local = evaluateAuthorization(policies, { action: iamAction, resource: resourceArn }, context)
  const view = (match: Pick<StatementMatch, 'policyName' | 'statementIndex'>): PolicyStatementView => statementView(documents, match.policyName, match.statementIndex)
  const decidingStatements = decision === 'EXPLICIT_DENY' ? local.deniedBy.map(view) : decision === 'ALLOWED' ? local.allowedBy.map(view) : []
  const nearMisses =
    decision === 'IMPLICIT_DENY'
      ? policies.flatMap((policy) =>
          policy.statements.flatMap((statement, statementIndex) => (statement.Effect === 'Allow' && actionCovered(statement.Action, statement.NotAction, iamAction) ? [view({ policyName: policy.policyName, statementIndex })] : []))
        )
      : []
  const denyingPolicies = (result?.denied?.explicitDeny?.policies ?? []).map((p) => p.policyName ?? '')
  const what = `${noun} ${resource}`
  const summary =
    decision === 'ALLOWED'
      ? `${iamAction} on ${resourceArn} is allowed (by ${describeStatements(decidingStatements) || (result?.allowed?.policies ?? []).map((p) => p.policyName).join(', ')}): the refusal came from something else than the policy`
      : decision === 'EXPLICIT_DENY'
        ? `${capitalized(what)} is denied explicitly by ${describeStatements(decidingStatements) || `policy ${denyingPolicies.join(', ')}`}`
        : documents.length === 0
          ? `${capitalized(what)} is denied implicitly: no policy is attached to certificate ${principal.certificateId}${thingName ? ` or thing ${thingName}'s groups` : ''}`
          : `${capitalized(what)} is denied implicitly: no statement of ${documents.map((d) => `policy ${d.policyName}`).join(', ')} allows ${iamAction} on ${resourceArn}`
  return {
    action,
    resourceArn,
    decision,
    ...(thingName ? { thingName } : {}),
    certificateId: principal.certificateId,
    clientId,
    policiesInForce: documents.map((d) => d.policyName),
    decidingStatements,
    nearMisses,
    missingContextValues: result?.missingContextValues ?? local.missingContextValues,
    summary
  }
}

/** The certificate given, else the thing's: one whose key the vault holds (the one ThingBench connects with), an attached one otherwise. */
async function principalOf(ctx: BackendContext, iot: IoTClient, args: ParsedArgs<'policies.explainRefusal'>): Promise<Principal> {
  let certificateId = args.certificateId
  if (certificateId === undefined) {
    const { certificateIds: ids, withKeys } = await thingCertificateKeys(iot, ctx.session.vault, args.thingName!)
    if (ids.length === 0)
      throw new BackendError('ResourceNotFoundException', `Thing ${args.thingName} has no certificate attached, so no policy applies to it: attach a certificate (AttachThingPrincipal) or provision the thing`)
    certificateId = withKeys[0] ?? ids[0]!
  }
  const { certificateDescription: d } = await iot.send(new DescribeCertificateCommand({ certificateId }))
  if (!d?.certificateArn) throw new BackendError('ResourceNotFoundException', `DescribeCertificate answered without the ARN of certificate ${certificateId}`)
  return { certificateId, certificateArn: d.certificateArn, certificatePem: d.certificatePem ?? '' }
}

function withFacts(certificatePem: string): { certificate?: CertificateFacts } {
  try {
    return certificatePem ? { certificate: certificateFacts(certificatePem) } : {}
  } catch {
    // Certificate variables then stay unresolved, as missingContextValues says.
    return {}
  }
}

function actionCovered(actions: readonly string[] | undefined, notActions: readonly string[] | undefined, action: string): boolean {
  const covers = (list: readonly string[]) => list.some((a) => patternMatches(literalPattern(a, true), action.toLowerCase()))
  return actions ? covers(actions) : !covers(notActions ?? [])
}

/** The statement as its policy writes it (a single statement object counts as index 0). */
function statementView(documents: Array<{ policyName: string; document: string }>, policyName: string, statementIndex: number): PolicyStatementView {
  const document = documents.find((d) => d.policyName === policyName)?.document ?? '{}'
  let raw: Record<string, unknown> = {}
  try {
    const statements = (JSON.parse(document) as { Statement?: unknown }).Statement
    raw = ((Array.isArray(statements) ? statements[statementIndex] : statements) ?? {}) as Record<string, unknown>
  } catch {
    // Never stored by AWS; the policy name still says where to look.
  }
  const sid = typeof raw['Sid'] === 'string' ? raw['Sid'] : undefined
  return { policyName, statementIndex, ...(sid ? { sid } : {}), effect: raw['Effect'] === 'Deny' ? 'Deny' : 'Allow', text: JSON.stringify(raw, null, 2) }
}

function describeStatements(statements: PolicyStatementView[]): string {
  return statements.map((s) => `statement ${s.sid ? `"${s.sid}"` : `#${s.statementIndex + 1}`} of policy ${s.policyName}`).join(', ')
}

const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1)
