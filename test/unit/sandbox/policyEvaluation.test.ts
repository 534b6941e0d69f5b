import { randomBytes, webcrypto } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderPolicyTemplate } from '../../../electron/core/policies/templates'
import * as x509 from '../../../electron/sandbox/ca/x509'
import { certificateIdOf } from '../../../electron/sandbox/ca/localCa'
import { pemToDer } from '../../../electron/sandbox/ca/pem'
import { certificateFacts, type CertificateFacts } from '../../../electron/sandbox/policies/certificateFacts'
import { authorizeDevice, deviceAuthorization } from '../../../electron/sandbox/policies/connectionAuthorization'
import { evaluateAuthorization, policyInForce, type PolicyInForce } from '../../../electron/sandbox/policies/evaluate'
import { policiesInForce } from '../../../electron/sandbox/policies/inForce'
import type { AuthorizationContext } from '../../../electron/sandbox/policies/variables'
import { FileStore } from '../../../electron/sandbox/state/fileStore'
import type {
  CertificateRecord,
  PolicyRecord,
  PolicyTargetRecord,
  ThingGroupMemberRecord,
  ThingGroupRecord,
  ThingPrincipalRecord,
  ThingRecord
} from '../../../electron/sandbox/state/records'

// The IoT policy engine against AWS's rules (research/iot-core.md §3): the seed policy, Deny
// precedence, wildcards, policy variables (resolved and not), conditions, and which policies are in
// force for a certificate (its own, its thing's groups and their ancestors, default versions only).

const REGION = 'us-east-1'
const ACCOUNT = '123456789012'
const arn = (resource: string): string => `arn:aws:iot:${REGION}:${ACCOUNT}:${resource}`
const topic = (name: string): string => arn(`topic/${name}`)
const filter = (name: string): string => arn(`topicfilter/${name}`)
const client = (id: string): string => arn(`client/${id}`)

type Statement = Record<string, unknown>
const policy = (name: string, ...Statement: Statement[]): PolicyInForce =>
  policyInForce(name, arn(`policy/${name}`), JSON.stringify({ Version: '2012-10-17', Statement }))
const decide = (policies: PolicyInForce[], action: string, resource: string, context: AuthorizationContext = {}) =>
  evaluateAuthorization(policies, { action, resource }, context)
const decision = (policies: PolicyInForce[], action: string, resource: string, context: AuthorizationContext = {}) =>
  decide(policies, action, resource, context).decision

const lamp: AuthorizationContext = {
  clientId: 'lamp-1',
  thing: { thingName: 'lamp-1', thingTypeName: 'lamp', attributes: { site: 'bench-3', 'serial/no': 'A:1' }, isAttached: true }
}

/** A self-signed certificate with the subject, issuer and alternative names given, like a factory's own. */
async function makeCertificate(subject: x509.JsonName, altNames: x509.JsonGeneralNames = [], serialNumber = '0a1b2c'): Promise<string> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' }
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber,
    name: subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3600_000),
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: altNames.length ? [new x509.SubjectAlternativeNameExtension(altNames)] : []
  })
  return certificate.toString('pem')
}

describe("the seed 'shadow' policy (resources/policies/shadow.json)", () => {
  const shadow = policyInForce('thingbench-shadow', arn('policy/thingbench-shadow'), renderPolicyTemplate('shadow', { region: REGION, accountId: ACCOUNT }))
  const shadowJobs = policyInForce('thingbench-jobs', arn('policy/thingbench-jobs'), renderPolicyTemplate('shadow-jobs', { region: REGION, accountId: ACCOUNT }))

  it('lets the thing connect with its own name and use its own classic and named shadows', () => {
    expect(decision([shadow], 'iot:Connect', client('lamp-1'), lamp)).toBe('ALLOWED')
    expect(decision([shadow], 'iot:Publish', topic('$aws/things/lamp-1/shadow/update'), lamp)).toBe('ALLOWED')
    expect(decision([shadow], 'iot:Publish', topic('$aws/things/lamp-1/shadow/name/config/update'), lamp)).toBe('ALLOWED')
    expect(decision([shadow], 'iot:Subscribe', filter('$aws/things/lamp-1/shadow/update/delta'), lamp)).toBe('ALLOWED')
    expect(decision([shadow], 'iot:Subscribe', filter('$aws/things/lamp-1/shadow/#'), lamp)).toBe('ALLOWED')
    expect(decision([shadow], 'iot:Receive', topic('$aws/things/lamp-1/shadow/update/accepted'), lamp)).toBe('ALLOWED')
    const result = decide([shadow], 'iot:Publish', topic('$aws/things/lamp-1/shadow/get'), lamp)
    expect(result.allowedBy).toEqual([{ policyName: 'thingbench-shadow', policyArn: arn('policy/thingbench-shadow'), statementIndex: 1, effect: 'Allow' }])
  })

  it("refuses another thing's shadow, a wildcard filter over all things, jobs and other topics", () => {
    expect(decision([shadow], 'iot:Publish', topic('$aws/things/lamp-2/shadow/update'), lamp)).toBe('IMPLICIT_DENY')
    expect(decision([shadow], 'iot:Subscribe', filter('$aws/things/lamp-2/shadow/update/delta'), lamp)).toBe('IMPLICIT_DENY')
    expect(decision([shadow], 'iot:Subscribe', filter('$aws/things/+/shadow/update'), lamp)).toBe('IMPLICIT_DENY')
    expect(decision([shadow], 'iot:Receive', topic('$aws/things/lamp-2/shadow/update/accepted'), lamp)).toBe('IMPLICIT_DENY')
    expect(decision([shadow], 'iot:Publish', topic('$aws/things/lamp-1/jobs/start-next'), lamp)).toBe('IMPLICIT_DENY')
    expect(decision([shadow], 'iot:RetainPublish', topic('$aws/things/lamp-1/shadow/update'), lamp)).toBe('IMPLICIT_DENY')
    expect(decision([shadowJobs], 'iot:Publish', topic('$aws/things/lamp-1/jobs/start-next'), lamp)).toBe('ALLOWED')
    const refused = decide([shadow], 'iot:Publish', topic('$aws/things/lamp-2/shadow/update'), lamp)
    expect(refused.unmatched).toEqual([{ policyName: 'thingbench-shadow', policyArn: arn('policy/thingbench-shadow') }])
  })

  it('refuses a client id that is not the thing name (no thing, so its name does not resolve)', () => {
    const stranger: AuthorizationContext = { clientId: 'intruder' }
    const result = decide([shadow], 'iot:Connect', client('intruder'), stranger)
    expect(result.decision).toBe('IMPLICIT_DENY')
    expect(result.missingContextValues).toEqual(['iot:Connection.Thing.ThingName'])
    // Even the thing's own client resource needs the thing to be associated.
    expect(decision([shadow], 'iot:Connect', client('lamp-1'), stranger)).toBe('IMPLICIT_DENY')
    expect(decision([shadow], 'iot:Connect', client('lamp-2'), lamp)).toBe('IMPLICIT_DENY')
  })
})

describe('Allow, Deny and the default', () => {
  const allowAll = policy('allow-all', { Effect: 'Allow', Action: 'iot:*', Resource: '*' })
  const denySecret = policy('deny-secret', { Sid: 'NoSecrets', Effect: 'Deny', Action: 'iot:Publish', Resource: topic('secret/*') })

  it('refuses what no policy allows, and with no policy at all', () => {
    expect(decision([], 'iot:Connect', client('lamp-1'), lamp)).toBe('IMPLICIT_DENY')
    expect(decision([denySecret], 'iot:Publish', topic('open'), lamp)).toBe('IMPLICIT_DENY')
  })

  it('lets an explicit Deny in another policy win over an Allow, naming both', () => {
    const result = decide([allowAll, denySecret], 'iot:Publish', topic('secret/plans'), lamp)
    expect(result.decision).toBe('EXPLICIT_DENY')
    expect(result.deniedBy).toEqual([{ policyName: 'deny-secret', policyArn: arn('policy/deny-secret'), statementIndex: 0, sid: 'NoSecrets', effect: 'Deny' }])
    expect(result.allowedBy.map((m) => m.policyName)).toEqual(['allow-all'])
    expect(decision([allowAll, denySecret], 'iot:Publish', topic('open/plans'), lamp)).toBe('ALLOWED')
    expect(decision([allowAll, denySecret], 'iot:Subscribe', filter('secret/plans'), lamp)).toBe('ALLOWED')
  })

  it('lets a Deny in the same policy win, whatever the order of the statements', () => {
    const both = policy(
      'both',
      { Effect: 'Deny', Action: 'iot:Receive', Resource: topic('a/restricted/*') },
      { Effect: 'Allow', Action: ['iot:Subscribe', 'iot:Receive'], Resource: [filter('a/*'), topic('a/*')] }
    )
    // Subscribing to a/# is allowed (topicfilter/a/* covers it) but delivery of a restricted topic is not.
    expect(decision([both], 'iot:Subscribe', filter('a/#'), lamp)).toBe('ALLOWED')
    expect(decision([both], 'iot:Receive', topic('a/open/x'), lamp)).toBe('ALLOWED')
    expect(decision([both], 'iot:Receive', topic('a/restricted/x'), lamp)).toBe('EXPLICIT_DENY')
  })

  it('does not deny when the Deny statement does not apply (its condition fails)', () => {
    const conditionalDeny = policy('deny-unattached', {
      Effect: 'Deny',
      Action: 'iot:*',
      Resource: '*',
      Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'false' } }
    })
    expect(decision([allowAll, conditionalDeny], 'iot:Connect', client('lamp-1'), lamp)).toBe('ALLOWED')
    const unattached = { ...lamp, thing: { ...lamp.thing!, isAttached: false } }
    expect(decision([allowAll, conditionalDeny], 'iot:Connect', client('lamp-1'), unattached)).toBe('EXPLICIT_DENY')
  })
})

describe('wildcards', () => {
  it("lets '*' span topic levels and '?' stand for exactly one character", () => {
    const rooms = policy('rooms', { Effect: 'Allow', Action: 'iot:Publish', Resource: [topic('house/*/temperature'), topic('room-?')] })
    expect(decision([rooms], 'iot:Publish', topic('house/floor-1/kitchen/temperature'))).toBe('ALLOWED')
    expect(decision([rooms], 'iot:Publish', topic('house/temperature'))).toBe('IMPLICIT_DENY')
    expect(decision([rooms], 'iot:Publish', topic('room-1'))).toBe('ALLOWED')
    expect(decision([rooms], 'iot:Publish', topic('room-12'))).toBe('IMPLICIT_DENY')
    expect(decision([rooms], 'iot:Publish', topic('room-'))).toBe('IMPLICIT_DENY')
  })

  it("treats '+' and '#' in a policy as plain characters, so a topic filter resource matches only that filter", () => {
    const literal = policy('literal', { Effect: 'Allow', Action: 'iot:Subscribe', Resource: filter('some/+/topic') })
    expect(decision([literal], 'iot:Subscribe', filter('some/+/topic'))).toBe('ALLOWED')
    expect(decision([literal], 'iot:Subscribe', filter('some/x/topic'))).toBe('IMPLICIT_DENY')
    expect(decision([literal], 'iot:Subscribe', filter('some/#'))).toBe('IMPLICIT_DENY')
  })

  it("matches actions without regard to case and with wildcards, resources with case", () => {
    const publishLike = policy('pub', { Effect: 'Allow', Action: 'IOT:pub*', Resource: topic('Lamp/*') })
    expect(decision([publishLike], 'iot:Publish', topic('Lamp/on'))).toBe('ALLOWED')
    expect(decision([publishLike], 'iot:Subscribe', filter('Lamp/on'))).toBe('IMPLICIT_DENY')
    expect(decision([publishLike], 'iot:Publish', topic('lamp/on'))).toBe('IMPLICIT_DENY')
    expect(decision([policy('any', { Effect: 'Allow', Action: '*', Resource: '*' })], 'iot:UpdateThingShadow', arn('thing/lamp-1'))).toBe('ALLOWED')
  })

  it("reads ${*}, ${?} and ${$} as the literal characters", () => {
    const escaped = policy('escaped', { Effect: 'Allow', Action: 'iot:Publish', Resource: [topic('a/${*}'), topic('b/${?}'), topic('${$}aws/x')] })
    expect(decision([escaped], 'iot:Publish', topic('a/*'))).toBe('ALLOWED')
    expect(decision([escaped], 'iot:Publish', topic('a/b'))).toBe('IMPLICIT_DENY')
    expect(decision([escaped], 'iot:Publish', topic('b/?'))).toBe('ALLOWED')
    expect(decision([escaped], 'iot:Publish', topic('b/c'))).toBe('IMPLICIT_DENY')
    expect(decision([escaped], 'iot:Publish', topic('$aws/x'))).toBe('ALLOWED')
  })

  it('takes a substituted value literally: a client id of * is not a wildcard', () => {
    const own = policy('own', { Effect: 'Allow', Action: 'iot:Publish', Resource: topic('clients/${iot:ClientId}/out') })
    expect(decision([own], 'iot:Publish', topic('clients/c-7/out'), { clientId: 'c-7' })).toBe('ALLOWED')
    expect(decision([own], 'iot:Publish', topic('clients/c-8/out'), { clientId: '*' })).toBe('IMPLICIT_DENY')
    expect(decision([own], 'iot:Publish', topic('clients/*/out'), { clientId: '*' })).toBe('ALLOWED')
  })

  it('supports NotAction and NotResource', () => {
    const notPublish = policy('not-publish', { Effect: 'Allow', NotAction: 'iot:Publish', Resource: '*' })
    expect(decision([notPublish], 'iot:Subscribe', filter('x'))).toBe('ALLOWED')
    expect(decision([notPublish], 'iot:Publish', topic('x'))).toBe('IMPLICIT_DENY')
    const onlyPublic = policy(
      'only-public',
      { Effect: 'Allow', Action: 'iot:Publish', Resource: '*' },
      { Effect: 'Deny', Action: 'iot:Publish', NotResource: topic('public/*') }
    )
    expect(decision([onlyPublic], 'iot:Publish', topic('public/news'))).toBe('ALLOWED')
    expect(decision([onlyPublic], 'iot:Publish', topic('private/diary'))).toBe('EXPLICIT_DENY')
  })
})

describe('policy variables', () => {
  let facts: CertificateFacts
  beforeAll(async () => {
    const pem = await makeCertificate(
      [
        { '2.5.4.3': ['lamp-1'] },
        { '2.5.4.10': ['Acme, Inc.'] },
        { '2.5.4.11': ['Lighting', 'Bench'] },
        { '2.5.4.6': ['US'] },
        { '2.5.4.5': ['SN+42'] }
      ],
      [
        { type: 'dns', value: 'lamp-1.example.com' },
        { type: 'ip', value: '10.0.0.7' }
      ],
      '0a1b2c'
    )
    facts = certificateFacts(pem)
    expect(facts.certificateId).toBe(certificateIdOf(pemToDer(pem, ['CERTIFICATE'])))
  })
  const withCertificate = (): AuthorizationContext => ({ ...lamp, certificate: facts })

  it('resolves the thing variables: name, type name, attributes and IsAttached', () => {
    const things = policy(
      'things',
      { Effect: 'Allow', Action: 'iot:Publish', Resource: topic('types/${iot:Connection.Thing.ThingTypeName}/${iot:Connection.Thing.ThingName}') },
      { Effect: 'Allow', Action: 'iot:Publish', Resource: topic('sites/${iot:Connection.Thing.Attributes[site]}/*') },
      { Effect: 'Allow', Action: 'iot:Connect', Resource: client('*'), Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } } }
    )
    expect(decision([things], 'iot:Publish', topic('types/lamp/lamp-1'), lamp)).toBe('ALLOWED')
    expect(decision([things], 'iot:Publish', topic('types/lamp/lamp-2'), lamp)).toBe('IMPLICIT_DENY')
    expect(decision([things], 'iot:Publish', topic('sites/bench-3/power'), lamp)).toBe('ALLOWED')
    expect(decision([things], 'iot:Publish', topic('sites/bench-4/power'), lamp)).toBe('IMPLICIT_DENY')
    expect(decision([things], 'iot:Connect', client('lamp-1'), lamp)).toBe('ALLOWED')
    expect(decision([things], 'iot:Connect', client('lamp-1'), { ...lamp, thing: { ...lamp.thing!, isAttached: false } })).toBe('IMPLICIT_DENY')
  })

  it('leaves a statement unmatched, and reports the value missing, when a variable does not resolve', () => {
    const untyped: AuthorizationContext = { clientId: 'lamp-1', thing: { thingName: 'lamp-1', attributes: {}, isAttached: true } }
    const typed = policy('typed', { Effect: 'Allow', Action: 'iot:Publish', Resource: [topic('types/${iot:Connection.Thing.ThingTypeName}/*'), topic('sites/${iot:Connection.Thing.Attributes[site]}')] })
    const result = decide([typed], 'iot:Publish', topic('types//x'), untyped)
    expect(result.decision).toBe('IMPLICIT_DENY')
    expect(result.missingContextValues).toEqual(['iot:Connection.Thing.ThingTypeName', 'iot:Connection.Thing.Attributes[site]'])
    // Unresolved in a Deny: that Deny does not apply.
    const denyOwnType = policy('deny-type', { Effect: 'Deny', Action: 'iot:Publish', Resource: topic('types/${iot:Connection.Thing.ThingTypeName}') })
    const allowAll = policy('allow-all', { Effect: 'Allow', Action: 'iot:*', Resource: '*' })
    expect(decision([allowAll, denyOwnType], 'iot:Publish', topic('types/lamp'), lamp)).toBe('EXPLICIT_DENY')
    expect(decision([allowAll, denyOwnType], 'iot:Publish', topic('types/'), untyped)).toBe('ALLOWED')
    // No thing at all: IsAttached has no value, so a Bool condition on it fails.
    const attached = policy('attached', { Effect: 'Allow', Action: 'iot:Connect', Resource: '*', Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } } })
    const noThing = decide([attached], 'iot:Connect', client('lamp-1'), { clientId: 'lamp-1' })
    expect(noThing.decision).toBe('IMPLICIT_DENY')
    expect(noThing.missingContextValues).toEqual(['iot:Connection.Thing.IsAttached'])
  })

  it('resolves iot:ClientId, and leaves it unresolved without a client id (HTTP)', () => {
    const own = policy('own', { Effect: 'Allow', Action: 'iot:Connect', Resource: client('${iot:ClientId}') })
    expect(decision([own], 'iot:Connect', client('anything'), { clientId: 'anything' })).toBe('ALLOWED')
    const http = decide([own], 'iot:Connect', client('anything'), {})
    expect(http).toMatchObject({ decision: 'IMPLICIT_DENY', missingContextValues: ['iot:ClientId'] })
  })

  it('resolves the certificate variables: subject and issuer fields, later values, lists, serial number, id and alternative names', () => {
    const certificate = policy(
      'certificate',
      { Effect: 'Allow', Action: 'iot:Connect', Resource: client('${iot:Certificate.Subject.CommonName}') },
      { Effect: 'Allow', Action: 'iot:Publish', Resource: topic('ou/${iot:Certificate.Subject.OrganizationalUnit.1}/${iot:Certificate.Issuer.Country}') },
      { Effect: 'Allow', Action: 'iot:Publish', Resource: topic('serial/${iot:Certificate.SerialNumber}') },
      { Effect: 'Allow', Action: 'iot:Publish', Resource: topic('id/${iot:CertificateId}') },
      { Effect: 'Allow', Action: 'iot:Publish', Resource: topic('dns/${iot:Certificate.Subject.AlternativeName.DNSName}') },
      {
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: '*',
        Condition: { 'ForAnyValue:StringEquals': { 'iot:Certificate.Subject.OrganizationalUnit.List': 'Bench' }, IpAddress: { 'iot:Certificate.Subject.AlternativeName.IPAddress': '10.0.0.0/24' } }
      }
    )
    const context = withCertificate()
    expect(decision([certificate], 'iot:Connect', client('lamp-1'), context)).toBe('ALLOWED')
    expect(decision([certificate], 'iot:Connect', client('lamp-2'), context)).toBe('IMPLICIT_DENY')
    expect(decision([certificate], 'iot:Publish', topic('ou/Bench/US'), context)).toBe('ALLOWED')
    expect(decision([certificate], 'iot:Publish', topic('ou/Lighting/US'), context)).toBe('IMPLICIT_DENY')
    // 0x0a1b2c in decimal, the way AWS substitutes a serial number.
    expect(decision([certificate], 'iot:Publish', topic('serial/662316'), context)).toBe('ALLOWED')
    expect(decision([certificate], 'iot:Publish', topic(`id/${facts.certificateId}`), context)).toBe('ALLOWED')
    expect(decision([certificate], 'iot:Publish', topic('dns/lamp-1.example.com'), context)).toBe('ALLOWED')
    expect(decision([certificate], 'iot:Subscribe', filter('x'), context)).toBe('ALLOWED')
    expect(decision([certificate], 'iot:Connect', client('lamp-1'), lamp)).toBe('IMPLICIT_DENY')
  })

  it('backslash-escapes special characters and leaves a value with a wildcard character unsubstituted', () => {
    const organization = policy('org', { Effect: 'Allow', Action: 'iot:Publish', Resource: topic('org/${iot:Certificate.Subject.Organization}') })
    expect(decision([organization], 'iot:Publish', topic('org/Acme\\, Inc.'), withCertificate())).toBe('ALLOWED')
    expect(decision([organization], 'iot:Publish', topic('org/Acme, Inc.'), withCertificate())).toBe('IMPLICIT_DENY')
    // The subject serialNumber 'SN+42' holds '+': AWS does not substitute it.
    const serial = policy('serial', { Effect: 'Allow', Action: 'iot:Publish', Resource: topic('sn/*${iot:Certificate.Subject.SerialNumber}') })
    const result = decide([serial], 'iot:Publish', topic('sn/SN+42'), withCertificate())
    expect(result).toMatchObject({ decision: 'IMPLICIT_DENY', missingContextValues: ['iot:Certificate.Subject.SerialNumber'] })
    // A later value that does not exist (.5 would be the sixth) does not resolve either.
    const sixth = policy('sixth', { Effect: 'Allow', Action: 'iot:Publish', Resource: topic('${iot:Certificate.Subject.OrganizationalUnit.5}') })
    expect(decision([sixth], 'iot:Publish', topic('x'), withCertificate())).toBe('IMPLICIT_DENY')
  })

  it('evaluates conditions: StringLike, Null, aws:SourceIp and negated operators on a missing key', () => {
    const conditions = policy(
      'conditions',
      { Effect: 'Allow', Action: 'iot:Connect', Resource: '*', Condition: { StringLike: { 'iot:ClientId': 'lamp-*' }, Null: { 'iot:Connection.Thing.ThingName': 'false' } } },
      { Effect: 'Allow', Action: 'iot:Publish', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': ['192.168.1.0/24', '::1'] } } },
      { Effect: 'Deny', Action: 'iot:Publish', Resource: topic('guarded'), Condition: { StringNotEquals: { 'iot:Connection.Thing.ThingTypeName': 'lamp' } } }
    )
    expect(decision([conditions], 'iot:Connect', client('lamp-1'), lamp)).toBe('ALLOWED')
    expect(decision([conditions], 'iot:Connect', client('lamp-1'), { clientId: 'lamp-1' })).toBe('IMPLICIT_DENY')
    expect(decision([conditions], 'iot:Connect', client('door-1'), { ...lamp, clientId: 'door-1' })).toBe('IMPLICIT_DENY')
    expect(decision([conditions], 'iot:Publish', topic('t'), { ...lamp, sourceIp: '192.168.1.20' })).toBe('ALLOWED')
    expect(decision([conditions], 'iot:Publish', topic('t'), { ...lamp, sourceIp: '::1' })).toBe('ALLOWED')
    expect(decision([conditions], 'iot:Publish', topic('t'), { ...lamp, sourceIp: '10.1.1.1' })).toBe('IMPLICIT_DENY')
    expect(decision([conditions], 'iot:Publish', topic('guarded'), { ...lamp, sourceIp: '192.168.1.20' })).toBe('ALLOWED')
    // A thing without a type: StringNotEquals on the missing key holds (IAM), so the Deny applies.
    const untyped = { clientId: 'lamp-1', sourceIp: '192.168.1.20', thing: { thingName: 'lamp-1', attributes: {}, isAttached: true } }
    expect(decision([conditions], 'iot:Publish', topic('guarded'), untyped)).toBe('EXPLICIT_DENY')
  })

  it('never grants through an operator it does not know', () => {
    const unknown = policy('unknown', { Effect: 'Allow', Action: 'iot:Connect', Resource: '*', Condition: { StringSoundsLike: { 'iot:ClientId': 'lamp-1' } } })
    expect(decision([unknown], 'iot:Connect', client('lamp-1'), lamp)).toBe('IMPLICIT_DENY')
  })
})

describe('the policies in force for a certificate', () => {
  let dir: string
  let store: FileStore
  let certificate: CertificateRecord
  const now = Date.now()

  const put = (collection: Parameters<FileStore['commit']>[0][number]['collection'], key: string, value: unknown): void =>
    store.commit([{ op: 'put', collection, key, value }])
  const savePolicy = (name: string, documents: object[], defaultVersionId = '1'): void => {
    const record: PolicyRecord = {
      policyName: name,
      policyArn: arn(`policy/${name}`),
      defaultVersionId,
      nextVersionId: documents.length + 1,
      versions: documents.map((d, i) => ({ versionId: String(i + 1), document: JSON.stringify(d), createDate: now })),
      creationDate: now,
      lastModifiedDate: now
    }
    put('policies', name, record)
  }
  const attach = (policyName: string, target: string): void =>
    put('policyTargets', `${policyName}\u0000${target}`, { policyName, target } satisfies PolicyTargetRecord)
  const saveGroup = (name: string, parentGroupName?: string): void =>
    put('thingGroups', name, {
      thingGroupName: name,
      thingGroupId: randomBytes(8).toString('hex'),
      thingGroupArn: arn(`thinggroup/${name}`),
      ...(parentGroupName ? { parentGroupName } : {}),
      attributes: {},
      version: 1,
      creationDate: now
    } satisfies ThingGroupRecord)
  const saveThing = (name: string): void =>
    put('things', name, {
      thingName: name,
      thingId: randomBytes(8).toString('hex'),
      thingArn: arn(`thing/${name}`),
      thingTypeName: 'lamp',
      attributes: { site: 'bench-3' },
      version: 1,
      creationDate: now
    } satisfies ThingRecord)
  const allow = (action: string, resource: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] })

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingbench-policy-engine-'))
    store = FileStore.open(dir)
    const pem = await makeCertificate([{ '2.5.4.3': ['factory-lamp'] }])
    const certificateId = certificateIdOf(pemToDer(pem, ['CERTIFICATE']))
    certificate = {
      certificateId,
      certificateArn: arn(`cert/${certificateId}`),
      certificatePem: pem,
      status: 'ACTIVE',
      certificateMode: 'DEFAULT',
      notBefore: now,
      notAfter: now,
      creationDate: now,
      lastModifiedDate: now,
      generationId: 'g'
    }
    put('certificates', certificateId, certificate)
    saveThing('lamp-1')
    saveThing('lamp-2')
    put('thingPrincipals', `lamp-1\u0000${certificate.certificateArn}`, {
      thingName: 'lamp-1',
      principal: certificate.certificateArn,
      thingPrincipalType: 'NON_EXCLUSIVE_THING'
    } satisfies ThingPrincipalRecord)
    // factory > line-1 > bench-3, lamp-1 in bench-3; 'other' is unrelated.
    saveGroup('factory')
    saveGroup('line-1', 'factory')
    saveGroup('bench-3', 'line-1')
    saveGroup('other')
    put('thingGroupMembers', 'bench-3\u0000lamp-1', { thingGroupName: 'bench-3', thingName: 'lamp-1' } satisfies ThingGroupMemberRecord)

    savePolicy('device', [JSON.parse(renderPolicyTemplate('shadow', { region: REGION, accountId: ACCOUNT }))])
    savePolicy('bench', [allow('iot:Publish', topic('bench/*'))])
    savePolicy('factory-wide', [allow('iot:Publish', topic('factory/*'))])
    savePolicy('factory-deny', [{ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iot:Publish', Resource: topic('factory/locked') }] }])
    savePolicy('unrelated', [allow('iot:Publish', topic('other/*'))])
    // Version 2 would allow everything, but version 1 is the default.
    savePolicy('versioned', [allow('iot:Publish', topic('v1/*')), allow('iot:*', '*')], '1')
    attach('device', certificate.certificateArn)
    attach('versioned', certificate.certificateArn)
    attach('bench', arn('thinggroup/bench-3'))
    attach('factory-wide', arn('thinggroup/factory'))
    attach('factory-deny', arn('thinggroup/factory'))
    attach('unrelated', arn('thinggroup/other'))
  })
  afterAll(() => {
    store.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("are the certificate's own, then its thing's group and that group's ancestors, each once", () => {
    const names = policiesInForce(store, { certificateId: certificate.certificateId, thingName: 'lamp-1' }).map((p) => [p.policyName, p.attachedTo])
    expect(names).toEqual([
      ['device', certificate.certificateArn],
      ['versioned', certificate.certificateArn],
      ['bench', arn('thinggroup/bench-3')],
      ['factory-wide', arn('thinggroup/factory')],
      ['factory-deny', arn('thinggroup/factory')]
    ])
    expect(policiesInForce(store, { certificateId: certificate.certificateId }).map((p) => p.policyName)).toEqual(['device', 'versioned'])
  })

  it('let a device use its group and ancestor policies, with an ancestor Deny winning', () => {
    const device = { certificateId: certificate.certificateId, clientId: 'lamp-1' }
    expect(authorizeDevice(store, device, { action: 'iot:Connect', resource: client('lamp-1') }).decision).toBe('ALLOWED')
    expect(authorizeDevice(store, device, { action: 'iot:Publish', resource: topic('bench/power') }).decision).toBe('ALLOWED')
    expect(authorizeDevice(store, device, { action: 'iot:Publish', resource: topic('factory/alarm') }).decision).toBe('ALLOWED')
    const locked = authorizeDevice(store, device, { action: 'iot:Publish', resource: topic('factory/locked') })
    expect(locked.decision).toBe('EXPLICIT_DENY')
    expect(locked.deniedBy.map((m) => m.policyName)).toEqual(['factory-deny'])
    expect(authorizeDevice(store, device, { action: 'iot:Publish', resource: topic('other/x') }).decision).toBe('IMPLICIT_DENY')
  })

  it('use only default versions, and follow a new default at once', () => {
    const device = { certificateId: certificate.certificateId, clientId: 'lamp-1' }
    expect(authorizeDevice(store, device, { action: 'iot:Publish', resource: topic('v1/x') }).decision).toBe('ALLOWED')
    expect(authorizeDevice(store, device, { action: 'iot:Publish', resource: topic('anything') }).decision).toBe('IMPLICIT_DENY')
    const record = store.get<PolicyRecord>('policies', 'versioned')!
    put('policies', 'versioned', { ...record, defaultVersionId: '2' })
    try {
      expect(authorizeDevice(store, device, { action: 'iot:Publish', resource: topic('anything') }).decision).toBe('ALLOWED')
      expect(authorizeDevice(store, device, { action: 'iot:Publish', resource: topic('factory/locked') }).decision).toBe('EXPLICIT_DENY')
    } finally {
      put('policies', 'versioned', record)
    }
  })

  it("refuse a client id that is not the attached thing's name: no thing variables, no group policies", () => {
    const wrong = deviceAuthorization(store, { certificateId: certificate.certificateId, clientId: 'intruder' })
    expect(wrong.context.thing).toBeUndefined()
    expect(wrong.policies.map((p) => p.policyName)).toEqual(['device', 'versioned'])
    expect(authorizeDevice(store, { certificateId: certificate.certificateId, clientId: 'intruder' }, { action: 'iot:Connect', resource: client('intruder') }).decision).toBe('IMPLICIT_DENY')
    // lamp-2 exists but the certificate is not attached to it.
    expect(authorizeDevice(store, { certificateId: certificate.certificateId, clientId: 'lamp-2' }, { action: 'iot:Connect', resource: client('lamp-2') }).decision).toBe('IMPLICIT_DENY')
    const right = deviceAuthorization(store, { certificateId: certificate.certificateId, clientId: 'lamp-1' })
    expect(right.context).toMatchObject({ clientId: 'lamp-1', thing: { thingName: 'lamp-1', thingTypeName: 'lamp', attributes: { site: 'bench-3' }, isAttached: true } })
    expect(right.context.certificate?.subject.CommonName).toEqual(['factory-lamp'])
  })

  it('associate an exclusively attached thing whatever the client id, but apply its group policies only when the client id is its name', () => {
    const key = `lamp-1\u0000${certificate.certificateArn}`
    const original = store.get<ThingPrincipalRecord>('thingPrincipals', key)!
    put('thingPrincipals', key, { ...original, thingPrincipalType: 'EXCLUSIVE_THING' })
    try {
      const other = deviceAuthorization(store, { certificateId: certificate.certificateId, clientId: 'lamp-1-diagnostics' })
      expect(other.context.thing?.thingName).toBe('lamp-1')
      expect(other.policies.map((p) => p.policyName)).toEqual(['device', 'versioned'])
    } finally {
      put('thingPrincipals', key, original)
    }
  })

  it('give an unknown certificate no policies, so everything is refused', () => {
    const unknown = { certificateId: 'f'.repeat(64), clientId: 'lamp-1' }
    expect(deviceAuthorization(store, unknown).policies).toEqual([])
    expect(authorizeDevice(store, unknown, { action: 'iot:Connect', resource: client('lamp-1') }).decision).toBe('IMPLICIT_DENY')
  })

  it('leave thing variables and group policies out of the HTTP data plane', () => {
    const http = deviceAuthorization(store, { certificateId: certificate.certificateId, protocol: 'http' })
    expect(http.context.thing).toBeUndefined()
    expect(http.policies.map((p) => p.policyName)).toEqual(['device', 'versioned'])
  })
})
