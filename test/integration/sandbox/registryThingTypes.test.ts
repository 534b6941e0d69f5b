import {
  CreateThingCommand,
  CreateThingTypeCommand,
  DeleteThingTypeCommand,
  DeprecateThingTypeCommand,
  DescribeThingCommand,
  DescribeThingTypeCommand,
  ListThingTypesCommand,
  ResourceAlreadyExistsException,
  UpdateThingCommand
} from '@aws-sdk/client-iot'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'
import { refused } from '../../support/refusal'

// Thing types in the Local IoT Core, driven by the real @aws-sdk/client-iot (research/iot-core.md §4.3).
// The sandbox's clock is injected so the 5-minute wait before deletion can be crossed without waiting.


const MINUTE = 60_000
// Whole seconds, so the wire's epoch seconds compare exactly.
const START = Math.floor(Date.now() / 1000) * 1000
let clock = START
let sandbox: TestSandbox

beforeEach(async () => {
  clock = START
  sandbox = await startTestSandbox({ now: () => clock })
})

afterEach(async () => {
  await sandbox.stop()
})

describe('CreateThingType and DescribeThingType', () => {
  it('creates a type whose description, searchable attributes and creation date DescribeThingType shows', async () => {
    const { iot, core } = sandbox
    const created = await iot.send(
      new CreateThingTypeCommand({
        thingTypeName: 'lamp',
        thingTypeProperties: { thingTypeDescription: 'Ceiling lamps', searchableAttributes: ['room', 'floor'] }
      })
    )
    expect(created.thingTypeArn).toBe(`arn:aws:iot:${core.region}:${core.accountId}:thingtype/lamp`)

    const described = await iot.send(new DescribeThingTypeCommand({ thingTypeName: 'lamp' }))
    expect(described.thingTypeId).toBe(created.thingTypeId)
    expect(described.thingTypeProperties).toEqual({ thingTypeDescription: 'Ceiling lamps', searchableAttributes: ['room', 'floor'] })
    expect(described.thingTypeMetadata?.deprecated).toBe(false)
    expect(described.thingTypeMetadata?.deprecationDate).toBeUndefined()
    expect(described.thingTypeMetadata?.creationDate?.getTime()).toBe(START)
  })

  it('answers an identical CreateThingType with the same ids and refuses a different one with 409', async () => {
    const { iot } = sandbox
    const properties = { thingTypeDescription: 'v1', searchableAttributes: ['room'] }
    const first = await iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp', thingTypeProperties: properties }))
    const again = await iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp', thingTypeProperties: properties }))
    expect(again.thingTypeId).toBe(first.thingTypeId)

    const error = await refused(
      iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp', thingTypeProperties: { thingTypeDescription: 'v2' } }))
    )
    expect(error).toBeInstanceOf(ResourceAlreadyExistsException)
    expect(error.$metadata.httpStatusCode).toBe(409)
    expect((error as ResourceAlreadyExistsException).resourceId).toBe(first.thingTypeId)
    const described = await iot.send(new DescribeThingTypeCommand({ thingTypeName: 'lamp' }))
    expect(described.thingTypeProperties?.thingTypeDescription).toBe('v1')
  })

  it('refuses more than 3 searchable attributes and creates nothing', async () => {
    const error = await refused(
      sandbox.iot.send(
        new CreateThingTypeCommand({ thingTypeName: 'lamp', thingTypeProperties: { searchableAttributes: ['a', 'b', 'c', 'd'] } })
      )
    )
    expect(error.name).toBe('InvalidRequestException')
    expect(error.$metadata.httpStatusCode).toBe(400)
    expect(error.message).toMatch(/at most 3 searchable attributes; 4 were given/)
    expect((await refused(sandbox.iot.send(new DescribeThingTypeCommand({ thingTypeName: 'lamp' })))).name).toBe(
      'ResourceNotFoundException'
    )
  })

  it('refuses a bad type name and a description with characters AWS does not allow', async () => {
    const badName = await refused(sandbox.iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp/v2' })))
    expect(badName.name).toBe('InvalidRequestException')
    expect(badName.message).toMatch(/at 'thingTypeName' failed to satisfy constraint/)
    const badDescription = await refused(
      sandbox.iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp', thingTypeProperties: { thingTypeDescription: 'line\nbreak' } }))
    )
    expect(badDescription.name).toBe('InvalidRequestException')
    expect(badDescription.message).toMatch(/thingTypeProperties\.thingTypeDescription/)
  })
})

describe('ListThingTypes', () => {
  it('pages through the types in name order and filters by name', async () => {
    const { iot } = sandbox
    for (const name of ['t-c', 't-a', 't-e', 't-b', 't-d']) await iot.send(new CreateThingTypeCommand({ thingTypeName: name }))
    const first = await iot.send(new ListThingTypesCommand({ maxResults: 2 }))
    expect(first.thingTypes?.map((t) => t.thingTypeName)).toEqual(['t-a', 't-b'])
    const second = await iot.send(new ListThingTypesCommand({ maxResults: 2, nextToken: first.nextToken }))
    expect(second.thingTypes?.map((t) => t.thingTypeName)).toEqual(['t-c', 't-d'])
    const third = await iot.send(new ListThingTypesCommand({ maxResults: 2, nextToken: second.nextToken }))
    expect(third.thingTypes?.map((t) => t.thingTypeName)).toEqual(['t-e'])
    expect(third.nextToken).toBeUndefined()

    const filtered = await iot.send(new ListThingTypesCommand({ thingTypeName: 't-d' }))
    expect(filtered.thingTypes).toHaveLength(1)
    expect(filtered.thingTypes?.[0]?.thingTypeMetadata?.deprecated).toBe(false)
  })
})

describe('DeprecateThingType', () => {
  it('marks the type deprecated with its date, keeps existing things working, and undoes it', async () => {
    const { iot } = sandbox
    await iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp' }))
    await iot.send(new CreateThingCommand({ thingName: 'lamp-1', thingTypeName: 'lamp' }))
    clock = START + 2 * MINUTE
    await iot.send(new DeprecateThingTypeCommand({ thingTypeName: 'lamp' }))

    const deprecated = await iot.send(new DescribeThingTypeCommand({ thingTypeName: 'lamp' }))
    expect(deprecated.thingTypeMetadata?.deprecated).toBe(true)
    expect(deprecated.thingTypeMetadata?.deprecationDate?.getTime()).toBe(START + 2 * MINUTE)

    // Existing things keep the type and can still be updated.
    await iot.send(new UpdateThingCommand({ thingName: 'lamp-1', attributePayload: { attributes: { room: 'hall' } } }))
    expect((await iot.send(new DescribeThingCommand({ thingName: 'lamp-1' }))).thingTypeName).toBe('lamp')
    const newThing = await refused(iot.send(new CreateThingCommand({ thingName: 'lamp-2', thingTypeName: 'lamp' })))
    expect(newThing.name).toBe('InvalidRequestException')

    await iot.send(new DeprecateThingTypeCommand({ thingTypeName: 'lamp', undoDeprecate: true }))
    const restored = await iot.send(new DescribeThingTypeCommand({ thingTypeName: 'lamp' }))
    expect(restored.thingTypeMetadata?.deprecated).toBe(false)
    await iot.send(new CreateThingCommand({ thingName: 'lamp-2', thingTypeName: 'lamp' }))
  })

  it('reports a missing type with ResourceNotFoundException', async () => {
    const error = await refused(sandbox.iot.send(new DeprecateThingTypeCommand({ thingTypeName: 'ghost' })))
    expect(error.name).toBe('ResourceNotFoundException')
    expect(error.$metadata.httpStatusCode).toBe(404)
  })
})

describe('DeleteThingType', () => {
  it('refuses a type that is not deprecated and says to deprecate it first', async () => {
    await sandbox.iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp' }))
    const error = await refused(sandbox.iot.send(new DeleteThingTypeCommand({ thingTypeName: 'lamp' })))
    expect(error.name).toBe('InvalidRequestException')
    expect(error.$metadata.httpStatusCode).toBe(400)
    expect(error.message).toMatch(/not deprecated.*DeprecateThingType/)
    expect((await sandbox.iot.send(new DescribeThingTypeCommand({ thingTypeName: 'lamp' }))).thingTypeName).toBe('lamp')
  })

  it('refuses within 5 minutes of deprecation and deletes after them', async () => {
    const { iot } = sandbox
    await iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp' }))
    await iot.send(new DeprecateThingTypeCommand({ thingTypeName: 'lamp' }))

    clock = START + 5 * MINUTE - 1000
    const early = await refused(iot.send(new DeleteThingTypeCommand({ thingTypeName: 'lamp' })))
    expect(early.name).toBe('InvalidRequestException')
    expect(early.message).toMatch(/only 5 minutes after deprecation/)
    expect(early.message).toContain(new Date(START + 5 * MINUTE).toISOString())

    clock = START + 5 * MINUTE
    await iot.send(new DeleteThingTypeCommand({ thingTypeName: 'lamp' }))
    expect((await refused(iot.send(new DescribeThingTypeCommand({ thingTypeName: 'lamp' })))).name).toBe('ResourceNotFoundException')
  })

  it('refuses while things still have the type, and deletes once the type is removed from them', async () => {
    const { iot } = sandbox
    await iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp' }))
    await iot.send(new CreateThingCommand({ thingName: 'lamp-1', thingTypeName: 'lamp' }))
    await iot.send(new DeprecateThingTypeCommand({ thingTypeName: 'lamp' }))
    clock = START + 10 * MINUTE

    const error = await refused(iot.send(new DeleteThingTypeCommand({ thingTypeName: 'lamp' })))
    expect(error.name).toBe('InvalidRequestException')
    expect(error.message).toMatch(/1 thing\(s\) still have it \(lamp-1\)/)

    await iot.send(new UpdateThingCommand({ thingName: 'lamp-1', removeThingType: true }))
    await iot.send(new DeleteThingTypeCommand({ thingTypeName: 'lamp' }))
    expect((await iot.send(new ListThingTypesCommand({}))).thingTypes).toEqual([])
  })

  it('keeps the first deprecation date when a type is deprecated twice', async () => {
    const { iot } = sandbox
    await iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp' }))
    await iot.send(new DeprecateThingTypeCommand({ thingTypeName: 'lamp' }))
    clock = START + 4 * MINUTE
    await iot.send(new DeprecateThingTypeCommand({ thingTypeName: 'lamp' }))
    clock = START + 5 * MINUTE
    await iot.send(new DeleteThingTypeCommand({ thingTypeName: 'lamp' }))
  })
})
