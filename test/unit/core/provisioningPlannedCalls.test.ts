import { describe, expect, it } from 'vitest'
import { provisionPlanSchema, type ProvisionPlanInput } from '../../../electron/contract'
import { parseCertificate } from '../../../electron/core/certificates'
import { plannedCalls, type PlanFacts } from '../../../electron/core/provisioning'
import { makeDeviceCertificate } from '../../integration/provisioning/support/deviceCertificate'

const plan = (input: ProvisionPlanInput) => provisionPlanSchema.parse(input)
const nothingFound = (policyName?: string): PlanFacts => ({ groupsAlreadyJoined: [], ...(policyName ? { policyName } : {}) })
const operations = (calls: Array<{ operation: string }>) => calls.map((c) => c.operation)

describe('plannedCalls', () => {
  it('lists the CSR path with a new policy from a template, in the order a run makes them', () => {
    const { calls, reused } = plannedCalls(plan({ thingName: 'lamp-1', groups: ['hall', 'floor-2'] }), nothingFound('ThingBench-shadow'))
    expect(calls).toEqual([
      { operation: 'CreateCertificateFromCsr', target: 'EC P-256 key made on this machine, INACTIVE' },
      { operation: 'UpdateCertificate', target: '(new certificate) ACTIVE' },
      { operation: 'CreateThing', target: 'lamp-1' },
      { operation: 'CreatePolicy', target: 'ThingBench-shadow' },
      { operation: 'AttachPolicy', target: 'ThingBench-shadow (new certificate)' },
      { operation: 'AttachThingPrincipal', target: 'lamp-1 (new certificate)' },
      { operation: 'AddThingToThingGroup', target: 'lamp-1 hall' },
      { operation: 'AddThingToThingGroup', target: 'lamp-1 floor-2' }
    ])
    expect(reused).toEqual([])
  })

  it('names the key algorithm of a CSR plan', () => {
    const { calls } = plannedCalls(plan({ thingName: 'lamp-1', certificate: { mode: 'csr', keyAlgorithm: 'rsa2048' }, policy: { mode: 'none' } }), nothingFound())
    expect(calls[0]).toEqual({ operation: 'CreateCertificateFromCsr', target: 'RSA 2048 key made on this machine, INACTIVE' })
  })

  it('lets AWS make the keys on the aws path, and attaches an existing policy without creating it', () => {
    const { calls, reused } = plannedCalls(
      plan({ thingName: 'lamp-1', certificate: { mode: 'aws' }, policy: { mode: 'existing', policyName: 'fleet' } }),
      { groupsAlreadyJoined: [], policyName: 'fleet', existingPolicy: { policyName: 'fleet', policyArn: 'arn:aws:iot:eu-west-1:123456789012:policy/fleet' } }
    )
    expect(operations(calls)).toEqual(['CreateKeysAndCertificate', 'UpdateCertificate', 'CreateThing', 'AttachPolicy', 'AttachThingPrincipal'])
    expect(reused).toEqual([])
  })

  it('names an existing certificate by its SHA-256 (AWS\'s id; other services name it themselves)', async () => {
    const pem = await makeDeviceCertificate()
    const named = `(the file's certificate, SHA-256 ${parseCertificate(pem).certificateId})`
    const { calls } = plannedCalls(plan({ thingName: 'lamp-1', certificate: { mode: 'existing', certificatePem: pem }, policy: { mode: 'none' } }), nothingFound())
    expect(calls).toEqual([
      { operation: 'RegisterCertificateWithoutCA', target: `${named} INACTIVE` },
      { operation: 'UpdateCertificate', target: `${named} ACTIVE` },
      { operation: 'CreateThing', target: 'lamp-1' },
      { operation: 'AttachThingPrincipal', target: `lamp-1 ${named}` }
    ])
  })

  it('skips what the checks found and says it is reused, like the run reports it', () => {
    const { calls, reused } = plannedCalls(
      plan({ thingName: 'lamp-1', groups: ['hall', 'floor-2'], policy: { mode: 'document', policyName: 'mine', document: '{"Statement":[]}' } }),
      {
        existingThing: { thingName: 'lamp-1', thingArn: 'arn:aws:iot:eu-west-1:123456789012:thing/lamp-1' },
        policyName: 'mine',
        existingPolicy: { policyName: 'mine', policyArn: 'arn:aws:iot:eu-west-1:123456789012:policy/mine' },
        groupsAlreadyJoined: ['hall']
      }
    )
    expect(operations(calls)).toEqual(['CreateCertificateFromCsr', 'UpdateCertificate', 'AttachPolicy', 'AttachThingPrincipal', 'AddThingToThingGroup'])
    expect(calls.at(-1)).toEqual({ operation: 'AddThingToThingGroup', target: 'lamp-1 floor-2' })
    expect(reused).toEqual(['thing lamp-1', 'policy mine', 'membership of hall'])
  })

  it('attaches no policy when the plan has none', () => {
    const { calls } = plannedCalls(plan({ thingName: 'lamp-1', policy: { mode: 'none' } }), nothingFound())
    expect(operations(calls)).not.toContain('AttachPolicy')
    expect(operations(calls)).not.toContain('CreatePolicy')
  })
})
