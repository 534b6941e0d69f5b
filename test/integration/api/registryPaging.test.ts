import { AddThingToThingGroupCommand, AttachPolicyCommand, CreatePolicyCommand, CreateThingCommand, CreateThingGroupCommand, type IoTClient } from '@aws-sdk/client-iot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApi, type TestApi } from '../../support/apiBackend'

// Lists longer than AWS's largest page (250): the handlers must follow nextToken (ListThingsInThingGroup,
// ListThingGroups) and nextMarker (ListTargetsForPolicy) to the end, through the SDK's paginators.

const count = 260
const numbered = (prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`)
const thingNames = numbered('member')
const groupNames = numbered('shelf')

let t: TestApi
let iot: IoTClient

/** Runs the calls in small concurrent batches: quick, without flooding the shared machine. */
async function inBatches<T>(items: T[], call: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += 20) await Promise.all(items.slice(i, i + 20).map(call))
}

beforeAll(async () => {
  t = await startTestApi()
  iot = await t.session.iotClient({ kind: 'local' })
  await iot.send(new CreateThingGroupCommand({ thingGroupName: 'warehouse' }))
  await iot.send(new CreatePolicyCommand({ policyName: 'shelves', policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] }) }))
  await inBatches(thingNames, async (thingName) => {
    await iot.send(new CreateThingCommand({ thingName }))
    await iot.send(new AddThingToThingGroupCommand({ thingName, thingGroupName: 'warehouse' }))
  })
  await inBatches(groupNames, async (thingGroupName) => {
    const group = await iot.send(new CreateThingGroupCommand({ thingGroupName }))
    await iot.send(new AttachPolicyCommand({ policyName: 'shelves', target: group.thingGroupArn }))
  })
}, 120_000)

afterAll(async () => {
  await t?.close()
})

describe('lists longer than one page', () => {
  it('describes a group with every one of its 260 things', async () => {
    const warehouse = await t.api.call('groups.describe', { groupName: 'warehouse' })
    expect([...warehouse.things].sort()).toEqual(thingNames)
  })

  it('lists all 261 groups, describing at most 8 at a time (AWS throttles bursts)', async () => {
    let inFlight = 0
    let mostInFlight = 0
    const name = 'count-describes-in-flight'
    iot.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'DescribeThingGroupCommand') return next(args)
        mostInFlight = Math.max(mostInFlight, ++inFlight)
        try {
          return await next(args)
        } finally {
          inFlight--
        }
      },
      { step: 'initialize', name }
    )
    try {
      const groups = await t.api.call('groups.list', {})
      expect(groups.map((g) => g.groupName).sort()).toEqual([...groupNames, 'warehouse'].sort())
    } finally {
      iot.middlewareStack.remove(name)
    }
    expect(mostInFlight).toBe(8)
  })

  it('describes a policy with every one of its 260 targets (paged by marker)', async () => {
    const policy = await t.api.call('policies.describe', { policyName: 'shelves' })
    expect(policy.targets).toHaveLength(count)
    expect(new Set(policy.targets).size).toBe(count)
    expect(policy.targets.every((arn) => /:thinggroup\/shelf-\d{3}$/.test(arn))).toBe(true)
  })
})
