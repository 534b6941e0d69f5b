// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { groupHierarchy } from '../../../../renderer/src/stores/useGroupsStore'
import { expiryState, expiryText } from '../../../../renderer/src/views/registry/certificates/certificateExpiry'
import { canChangeStatus } from '../../../../renderer/src/views/registry/certificates/statusEffects'
import { policyDocumentChanges } from '../../../../renderer/src/views/registry/policies/policyDiff'
import { attributeChanges, attributeProblems, hasProblems } from '../../../../renderer/src/views/registry/things/attributeEdit'

describe('the attribute editor', () => {
  it('sends only what changed, with null for each removed attribute (AWS merge)', () => {
    const original = { serial: 'SN-1', floor: '2', color: 'red' }
    const rows = [
      { name: 'serial', value: 'SN-1' },
      { name: 'floor', value: '3' },
      { name: 'room', value: '12' },
      { name: '', value: '' }
    ]
    expect(attributeChanges(original, rows)).toEqual({ floor: '3', room: '12', color: null })
    expect(attributeChanges(original, [{ name: 'serial', value: 'SN-1' }, { name: 'floor', value: '2' }, { name: 'color', value: 'red' }])).toEqual({})
  })

  it("checks AWS's rules per row and the count without a thing type", () => {
    const problems = attributeProblems(
      [
        { name: 'bad name', value: 'ok' },
        { name: 'good', value: 'no spaces allowed' }
      ],
      false
    )
    expect(problems.rows[0]!.name).toMatch(/Attribute name may contain only/)
    expect(problems.rows[1]!.value).toMatch(/Attribute value may contain only/)
    expect(hasProblems(problems)).toBe(true)

    const four = ['a', 'b', 'c', 'd'].map((name) => ({ name, value: '1' }))
    expect(attributeProblems(four, false).overall).toMatch(/without a thing type may have at most 3/)
    expect(attributeProblems(four, true).overall).toBeNull()
    expect(attributeProblems([{ name: 'a', value: '1' }, { name: 'a', value: '2' }], true).overall).toMatch(/"a" appears twice/)
  })
})

describe('the group tree', () => {
  it('puts groups under their parents, sorted, and orphans at the root', () => {
    const tree = groupHierarchy([
      { groupName: 'floor-2', groupArn: 'x', parentGroupName: 'site' },
      { groupName: 'site', groupArn: 'x' },
      { groupName: 'floor-1', groupArn: 'x', parentGroupName: 'site' },
      { groupName: 'room-9', groupArn: 'x', parentGroupName: 'floor-1' },
      { groupName: 'lost', groupArn: 'x', parentGroupName: 'deleted-parent' }
    ])
    const shape = (nodes: typeof tree): unknown => nodes.map((n) => (n.children.length ? { [n.groupName]: shape(n.children) } : n.groupName))
    expect(shape(tree)).toEqual(['lost', { site: [{ 'floor-1': ['room-9'] }, 'floor-2'] }])
  })
})

describe('the policy version diff', () => {
  it('lists each change with its place in the document and the values before and after', () => {
    const v1 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }, { Effect: 'Allow', Action: ['iot:Publish'], Resource: 'a' }] }
    const v2 = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:client' },
        { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: 'a' },
        { Effect: 'Deny', Action: 'iot:*', Resource: '*' }
      ]
    }
    expect(policyDocumentChanges(JSON.stringify(v1), JSON.stringify(v2))).toEqual([
      { kind: 'changed', path: 'Statement[0].Resource', before: '"*"', after: '"arn:client"' },
      { kind: 'added', path: 'Statement[1].Action[1]', after: '"iot:Receive"' },
      { kind: 'added', path: 'Statement[2]', after: JSON.stringify(v2.Statement[2]) }
    ])
    expect(policyDocumentChanges(JSON.stringify(v2), JSON.stringify(v1))).toContainEqual({ kind: 'removed', path: 'Statement[2]', before: JSON.stringify(v2.Statement[2]) })
    expect(policyDocumentChanges(JSON.stringify(v1), JSON.stringify(v1))).toEqual([])
  })
})

describe('certificate expiry and status', () => {
  const now = new Date('2025-01-01T00:00:00Z')
  it('flags a certificate expiring within 30 days, and an expired one', () => {
    expect(expiryState('2025-01-20T00:00:00Z', now)).toEqual({ state: 'soon', days: 19 })
    expect(expiryText('2025-01-20T00:00:00Z', now)).toBe('Expires in 19 days')
    expect(expiryState('2026-01-01T00:00:00Z', now).state).toBe('ok')
    expect(expiryState('2024-12-31T00:00:00Z', now).state).toBe('expired')
    expect(expiryText('2024-12-31T00:00:00Z', now)).toMatch(/^Expired/)
    expect(expiryState(undefined, now)).toEqual({ state: 'unknown', days: null })
  })

  it('never offers to leave REVOKED, which AWS makes final', () => {
    expect(canChangeStatus('ACTIVE', 'INACTIVE')).toBe(true)
    expect(canChangeStatus('ACTIVE', 'ACTIVE')).toBe(false)
    expect(canChangeStatus('REVOKED', 'ACTIVE')).toBe(false)
  })
})
