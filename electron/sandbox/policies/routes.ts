import { createHash } from 'node:crypto'
import type { SandboxContext } from '../context'
import { IotError, alreadyExists, deleteConflict, notFound } from '../http/iotError'
import { bodyObject, bodyString, epochSeconds, queryBoolean } from '../http/input'
import { MARKER_PAGING, pageRequestOf, paginate } from '../http/paging'
import type { Route, SandboxRequest } from '../http/route'
import { assertValid, rules } from '../http/validate'
import type { PolicyRecord, PolicyTargetRecord, PolicyVersionRecord } from '../state/records'
import { parsePolicyDocument } from './document'

// Policies and their versions (research/iot-core.md §4.6): version 1 is made with the policy, at most
// five versions, the default can't be deleted, a policy is deleted only when detached and alone.

export const MAX_POLICY_VERSIONS = 5

/** The policy of that name, or ResourceNotFoundException. */
export function getPolicy(ctx: SandboxContext, policyName: string): PolicyRecord {
  const record = ctx.store.get<PolicyRecord>('policies', policyName)
  if (!record) throw notFound(`The policy ${policyName} does not exist.`)
  return record
}

/** Changes whenever the policy's default document changes, like AWS's generationId. */
function generationId(policy: PolicyRecord): string {
  return createHash('sha256').update(`${policy.policyName}\u0000${policy.defaultVersionId}\u0000${policy.lastModifiedDate}`).digest('hex')
}

function findVersion(policy: PolicyRecord, versionId: string): PolicyVersionRecord {
  const version = policy.versions.find((v) => v.versionId === versionId)
  if (!version) throw notFound(`Version ${versionId} of the policy ${policy.policyName} does not exist.`)
  return version
}

export function policyRoutes(ctx: SandboxContext): Route[] {
  const pathPolicyName = (req: SandboxRequest): string => {
    const policyName = req.params['policyName']!
    assertValid([[policyName, 'policyName', rules.policyName]])
    return policyName
  }
  const pathVersionId = (req: SandboxRequest): string => {
    const versionId = req.params['policyVersionId']!
    assertValid([[versionId, 'policyVersionId', rules.policyVersionId]])
    return versionId
  }
  const save = (policy: PolicyRecord): void =>
    ctx.store.commit([{ op: 'put', collection: 'policies', key: policy.policyName, value: policy }])

  return [
    {
      operation: 'CreatePolicy',
      method: 'POST',
      pattern: '/policies/{policyName}',
      handler(req) {
        const policyName = pathPolicyName(req)
        const document = bodyString(bodyObject(req), 'policyDocument', true)
        parsePolicyDocument(document)
        const existing = ctx.store.get<PolicyRecord>('policies', policyName)
        if (existing)
          throw alreadyExists(`Policy cannot be created - name already exists (name=${policyName})`, policyName, existing.policyArn)
        const now = ctx.now()
        const policy: PolicyRecord = {
          policyName,
          policyArn: ctx.arn(`policy/${policyName}`),
          defaultVersionId: '1',
          nextVersionId: 2,
          versions: [{ versionId: '1', document, createDate: now }],
          creationDate: now,
          lastModifiedDate: now
        }
        save(policy)
        return { body: { policyName, policyArn: policy.policyArn, policyDocument: document, policyVersionId: '1' } }
      }
    },
    {
      operation: 'GetPolicy',
      method: 'GET',
      pattern: '/policies/{policyName}',
      handler(req) {
        const policy = getPolicy(ctx, pathPolicyName(req))
        return {
          body: {
            policyName: policy.policyName,
            policyArn: policy.policyArn,
            policyDocument: findVersion(policy, policy.defaultVersionId).document,
            defaultVersionId: policy.defaultVersionId,
            creationDate: epochSeconds(policy.creationDate),
            lastModifiedDate: epochSeconds(policy.lastModifiedDate),
            generationId: generationId(policy)
          }
        }
      }
    },
    {
      operation: 'ListPolicies',
      method: 'GET',
      pattern: '/policies',
      handler(req) {
        const pageRequest = pageRequestOf(req, MARKER_PAGING)
        const ascending = queryBoolean(req, 'isAscendingOrder') ?? true
        const policies = ctx.store.list<PolicyRecord>('policies')
        const page = paginate(policies, (policy) => policy.policyName, pageRequest, ascending ? 'ascending' : 'descending')
        return {
          body: {
            policies: page.items.map((p) => ({ policyName: p.policyName, policyArn: p.policyArn })),
            nextMarker: page.next
          }
        }
      }
    },
    {
      operation: 'DeletePolicy',
      method: 'DELETE',
      pattern: '/policies/{policyName}',
      handler(req) {
        const policy = getPolicy(ctx, pathPolicyName(req))
        const attached = ctx.store.some<PolicyTargetRecord>('policyTargets', (t) => t.policyName === policy.policyName)
        if (attached)
          throw deleteConflict(
            `The policy cannot be deleted as the policy is attached to one or more principals (name=${policy.policyName})`
          )
        if (policy.versions.length > 1)
          throw deleteConflict('The policy cannot be deleted as versions other than than default version exist')
        ctx.store.commit([{ op: 'delete', collection: 'policies', key: policy.policyName }])
        return {}
      }
    },
    {
      operation: 'CreatePolicyVersion',
      method: 'POST',
      pattern: '/policies/{policyName}/version',
      handler(req) {
        const policyName = pathPolicyName(req)
        const document = bodyString(bodyObject(req), 'policyDocument', true)
        const setAsDefault = queryBoolean(req, 'setAsDefault') ?? false
        parsePolicyDocument(document)
        const policy = getPolicy(ctx, policyName)
        if (policy.versions.length >= MAX_POLICY_VERSIONS)
          throw new IotError(
            'VersionsLimitExceededException',
            409,
            `The policy ${policyName} already has the maximum number of versions (${MAX_POLICY_VERSIONS}). Delete a version that is not the default, then try again.`
          )
        const now = ctx.now()
        const versionId = String(policy.nextVersionId)
        const updated: PolicyRecord = {
          ...policy,
          nextVersionId: policy.nextVersionId + 1,
          versions: [...policy.versions, { versionId, document, createDate: now }],
          defaultVersionId: setAsDefault ? versionId : policy.defaultVersionId,
          lastModifiedDate: now
        }
        save(updated)
        return { body: { policyArn: policy.policyArn, policyDocument: document, policyVersionId: versionId, isDefaultVersion: setAsDefault } }
      }
    },
    {
      operation: 'GetPolicyVersion',
      method: 'GET',
      pattern: '/policies/{policyName}/version/{policyVersionId}',
      handler(req) {
        const policy = getPolicy(ctx, pathPolicyName(req))
        const version = findVersion(policy, pathVersionId(req))
        return {
          body: {
            policyArn: policy.policyArn,
            policyName: policy.policyName,
            policyDocument: version.document,
            policyVersionId: version.versionId,
            isDefaultVersion: version.versionId === policy.defaultVersionId,
            creationDate: epochSeconds(version.createDate),
            lastModifiedDate: epochSeconds(policy.lastModifiedDate),
            generationId: generationId(policy)
          }
        }
      }
    },
    {
      operation: 'ListPolicyVersions',
      method: 'GET',
      pattern: '/policies/{policyName}/version',
      handler(req) {
        const policy = getPolicy(ctx, pathPolicyName(req))
        const newestFirst = [...policy.versions].sort((a, b) => Number(b.versionId) - Number(a.versionId))
        return {
          body: {
            policyVersions: newestFirst.map((v) => ({
              versionId: v.versionId,
              isDefaultVersion: v.versionId === policy.defaultVersionId,
              createDate: epochSeconds(v.createDate)
            }))
          }
        }
      }
    },
    {
      operation: 'SetDefaultPolicyVersion',
      method: 'PATCH',
      pattern: '/policies/{policyName}/version/{policyVersionId}',
      handler(req) {
        const policy = getPolicy(ctx, pathPolicyName(req))
        const version = findVersion(policy, pathVersionId(req))
        if (policy.defaultVersionId !== version.versionId)
          save({ ...policy, defaultVersionId: version.versionId, lastModifiedDate: ctx.now() })
        return {}
      }
    },
    {
      operation: 'DeletePolicyVersion',
      method: 'DELETE',
      pattern: '/policies/{policyName}/version/{policyVersionId}',
      handler(req) {
        const policy = getPolicy(ctx, pathPolicyName(req))
        const version = findVersion(policy, pathVersionId(req))
        if (version.versionId === policy.defaultVersionId)
          throw deleteConflict(
            `Cannot delete the default version of a policy (name=${policy.policyName}, version=${version.versionId}). Make another version the default first, or delete the policy.`
          )
        save({ ...policy, versions: policy.versions.filter((v) => v.versionId !== version.versionId), lastModifiedDate: ctx.now() })
        return {}
      }
    }
  ]
}
