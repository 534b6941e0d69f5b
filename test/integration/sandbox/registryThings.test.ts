import {
  AddThingToThingGroupCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  DeleteThingCommand,
  DeprecateThingTypeCommand,
  DescribeThingCommand,
  DetachThingPrincipalCommand,
  ListThingGroupsForThingCommand,
  ListThingsCommand,
  ListThingsInThingGroupCommand,
  ResourceAlreadyExistsException,
  UpdateThingCommand,
  type ListThingsCommandInput
} from '@aws-sdk/client-iot'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTestSandbox, testSecretProtector, type TestSandbox } from '../../support/sandbox'
import { refused } from '../../support/refusal'

// Things in the Local IoT Core, driven by the real @aws-sdk/client-iot over HTTP
// (research/iot-core.md §4.1, §4.2).


const attributesOf = (count: number): Record<string, string> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`attr${i}`, `value${i}`]))

let sandbox: TestSandbox

beforeEach(async () => {
  sandbox = await startTestSandbox()
})

afterEach(async () => {
  await sandbox.stop()
})

describe('CreateThing and DescribeThing', () => {
  it('creates a thing that DescribeThing shows with its type, attributes, version 1 and client id', async () => {
    const { iot, core } = sandbox
    await iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp' }))
    const created = await iot.send(
      new CreateThingCommand({ thingName: 'lamp-1', thingTypeName: 'lamp', attributePayload: { attributes: { room: 'hall' } } })
    )
    expect(created.thingArn).toBe(`arn:aws:iot:${core.region}:${core.accountId}:thing/lamp-1`)
    expect(created.thingId).toMatch(/^[0-9a-f-]{36}$/)

    const described = await iot.send(new DescribeThingCommand({ thingName: 'lamp-1' }))
    expect(described).toMatchObject({
      thingName: 'lamp-1',
      defaultClientId: 'lamp-1',
      thingId: created.thingId,
      thingArn: created.thingArn,
      thingTypeName: 'lamp',
      attributes: { room: 'hall' },
      version: 1
    })
  })

  it('answers a repeated identical CreateThing with the same ids', async () => {
    const request = { thingName: 'sensor', attributePayload: { attributes: { a: '1', b: '2' } } }
    const first = await sandbox.iot.send(new CreateThingCommand(request))
    const second = await sandbox.iot.send(
      new CreateThingCommand({ thingName: 'sensor', attributePayload: { attributes: { b: '2', a: '1' } } })
    )
    expect(second.thingId).toBe(first.thingId)
    expect(second.thingArn).toBe(first.thingArn)
  })

  it('refuses CreateThing for an existing name with other attributes, naming the existing thing, and keeps it', async () => {
    const first = await sandbox.iot.send(new CreateThingCommand({ thingName: 'sensor', attributePayload: { attributes: { a: '1' } } }))
    const error = await refused(
      sandbox.iot.send(new CreateThingCommand({ thingName: 'sensor', attributePayload: { attributes: { a: '2' } } }))
    )
    expect(error).toBeInstanceOf(ResourceAlreadyExistsException)
    expect(error.$metadata.httpStatusCode).toBe(409)
    expect(error.message).toMatch(/Thing sensor already exists in account with different attributes/)
    expect((error as ResourceAlreadyExistsException).resourceId).toBe(first.thingId)
    expect((error as ResourceAlreadyExistsException).resourceArn).toBe(first.thingArn)
    const described = await sandbox.iot.send(new DescribeThingCommand({ thingName: 'sensor' }))
    expect(described.attributes).toEqual({ a: '1' })
  })

  it('refuses an unknown thing type with ResourceNotFoundException and creates nothing', async () => {
    const error = await refused(sandbox.iot.send(new CreateThingCommand({ thingName: 'orphan', thingTypeName: 'no-such-type' })))
    expect(error.name).toBe('ResourceNotFoundException')
    expect(error.$metadata.httpStatusCode).toBe(404)
    expect(error.message).toMatch(/no-such-type/)
    const missing = await refused(sandbox.iot.send(new DescribeThingCommand({ thingName: 'orphan' })))
    expect(missing.name).toBe('ResourceNotFoundException')
  })

  it('refuses a deprecated thing type with InvalidRequestException', async () => {
    await sandbox.iot.send(new CreateThingTypeCommand({ thingTypeName: 'old-lamp' }))
    await sandbox.iot.send(new DeprecateThingTypeCommand({ thingTypeName: 'old-lamp' }))
    const error = await refused(sandbox.iot.send(new CreateThingCommand({ thingName: 'lamp-2', thingTypeName: 'old-lamp' })))
    expect(error.name).toBe('InvalidRequestException')
    expect(error.$metadata.httpStatusCode).toBe(400)
    expect(error.message).toMatch(/deprecated thing type:old-lamp/)
    const listed = await sandbox.iot.send(new ListThingsCommand({}))
    expect(listed.things).toEqual([])
  })

  it('allows 3 attributes without a type and 50 with one, and refuses one more with the limit in the message', async () => {
    const { iot } = sandbox
    await iot.send(new CreateThingCommand({ thingName: 'three', attributePayload: { attributes: attributesOf(3) } }))
    const four = await refused(iot.send(new CreateThingCommand({ thingName: 'four', attributePayload: { attributes: attributesOf(4) } })))
    expect(four.name).toBe('InvalidRequestException')
    expect(four.$metadata.httpStatusCode).toBe(400)
    expect(four.message).toMatch(/without a thing type can have at most 3/)

    await iot.send(new CreateThingTypeCommand({ thingTypeName: 'rich' }))
    await iot.send(new CreateThingCommand({ thingName: 'fifty', thingTypeName: 'rich', attributePayload: { attributes: attributesOf(50) } }))
    const described = await iot.send(new DescribeThingCommand({ thingName: 'fifty' }))
    expect(Object.keys(described.attributes ?? {})).toHaveLength(50)
    const fiftyOne = await refused(
      iot.send(new CreateThingCommand({ thingName: 'fifty-one', thingTypeName: 'rich', attributePayload: { attributes: attributesOf(51) } }))
    )
    expect(fiftyOne.message).toMatch(/with a thing type can have at most 50/)
    expect((await iot.send(new ListThingsCommand({}))).things?.map((t) => t.thingName).sort()).toEqual(['fifty', 'three'])
  })

  it("refuses names and attributes that break AWS's rules with AWS's validation message", async () => {
    const badName = await refused(sandbox.iot.send(new CreateThingCommand({ thingName: 'my lamp' })))
    expect(badName.name).toBe('InvalidRequestException')
    expect(badName.$metadata.httpStatusCode).toBe(400)
    expect(badName.message).toBe(
      "1 validation error detected: Value 'my lamp' at 'thingName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9:_-]+"
    )
    const badValue = await refused(
      sandbox.iot.send(new CreateThingCommand({ thingName: 'lamp', attributePayload: { attributes: { room: 'living room' } } }))
    )
    expect(badValue.name).toBe('InvalidRequestException')
    expect(badValue.message).toMatch(/Value 'living room' at 'attributePayload.attributes.room' failed to satisfy constraint/)
    const tooLong = await refused(sandbox.iot.send(new CreateThingCommand({ thingName: 'x'.repeat(129) })))
    expect(tooLong.message).toMatch(/Member must have length less than or equal to 128/)
    expect((await sandbox.iot.send(new ListThingsCommand({}))).things).toEqual([])
  })

  it('reports a missing thing with ResourceNotFoundException', async () => {
    const error = await refused(sandbox.iot.send(new DescribeThingCommand({ thingName: 'ghost' })))
    expect(error.name).toBe('ResourceNotFoundException')
    expect(error.$metadata.httpStatusCode).toBe(404)
    expect(error.message).toMatch(/Thing ghost cannot be found/)
  })
})

describe('UpdateThing', () => {
  it('merges attributes with merge: true, replaces them otherwise, removes empty values and counts versions', async () => {
    const { iot } = sandbox
    await iot.send(new CreateThingCommand({ thingName: 'dev', attributePayload: { attributes: { a: '1', b: '2' } } }))

    await iot.send(new UpdateThingCommand({ thingName: 'dev', attributePayload: { attributes: { c: '3', a: '' }, merge: true } }))
    let described = await iot.send(new DescribeThingCommand({ thingName: 'dev' }))
    expect(described.attributes).toEqual({ b: '2', c: '3' })
    expect(described.version).toBe(2)

    await iot.send(new UpdateThingCommand({ thingName: 'dev', attributePayload: { attributes: { z: '26' } } }))
    described = await iot.send(new DescribeThingCommand({ thingName: 'dev' }))
    expect(described.attributes).toEqual({ z: '26' })
    expect(described.version).toBe(3)
  })

  it('changes and removes the thing type, and refuses both at once', async () => {
    const { iot } = sandbox
    await iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp' }))
    await iot.send(new CreateThingCommand({ thingName: 'dev' }))
    await iot.send(new UpdateThingCommand({ thingName: 'dev', thingTypeName: 'lamp' }))
    expect((await iot.send(new DescribeThingCommand({ thingName: 'dev' }))).thingTypeName).toBe('lamp')

    const both = await refused(iot.send(new UpdateThingCommand({ thingName: 'dev', thingTypeName: 'lamp', removeThingType: true })))
    expect(both.name).toBe('InvalidRequestException')
    expect(both.$metadata.httpStatusCode).toBe(400)

    await iot.send(new UpdateThingCommand({ thingName: 'dev', removeThingType: true }))
    const described = await iot.send(new DescribeThingCommand({ thingName: 'dev' }))
    expect(described.thingTypeName).toBeUndefined()
    expect(described.version).toBe(3)

    const unknown = await refused(iot.send(new UpdateThingCommand({ thingName: 'dev', thingTypeName: 'nope' })))
    expect(unknown.name).toBe('ResourceNotFoundException')
  })

  it('refuses to remove the type of a thing with more than 3 attributes and leaves it unchanged', async () => {
    const { iot } = sandbox
    await iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp' }))
    await iot.send(new CreateThingCommand({ thingName: 'dev', thingTypeName: 'lamp', attributePayload: { attributes: attributesOf(5) } }))
    const error = await refused(iot.send(new UpdateThingCommand({ thingName: 'dev', removeThingType: true })))
    expect(error.name).toBe('InvalidRequestException')
    expect(error.message).toMatch(/would have 5 attributes/)
    const described = await iot.send(new DescribeThingCommand({ thingName: 'dev' }))
    expect(described.thingTypeName).toBe('lamp')
    expect(described.version).toBe(1)
  })

  it('refuses a stale expectedVersion with VersionConflictException and accepts the current one', async () => {
    const { iot } = sandbox
    await iot.send(new CreateThingCommand({ thingName: 'dev' }))
    await iot.send(new UpdateThingCommand({ thingName: 'dev', attributePayload: { attributes: { a: '1' } }, expectedVersion: 1 }))
    const stale = await refused(
      iot.send(new UpdateThingCommand({ thingName: 'dev', attributePayload: { attributes: { a: '2' } }, expectedVersion: 1 }))
    )
    expect(stale.name).toBe('VersionConflictException')
    expect(stale.$metadata.httpStatusCode).toBe(409)
    expect((await iot.send(new DescribeThingCommand({ thingName: 'dev' }))).attributes).toEqual({ a: '1' })
  })

  it('refuses to update a missing thing', async () => {
    const error = await refused(sandbox.iot.send(new UpdateThingCommand({ thingName: 'ghost', attributePayload: { attributes: { a: '1' } } })))
    expect(error.name).toBe('ResourceNotFoundException')
    expect(error.$metadata.httpStatusCode).toBe(404)
  })
})

describe('DeleteThing', () => {
  it('succeeds for a thing that does not exist', async () => {
    const result = await sandbox.iot.send(new DeleteThingCommand({ thingName: 'never-was' }))
    expect(result.$metadata.httpStatusCode).toBe(200)
  })

  it('refuses a stale expectedVersion and keeps the thing', async () => {
    await sandbox.iot.send(new CreateThingCommand({ thingName: 'dev' }))
    const error = await refused(sandbox.iot.send(new DeleteThingCommand({ thingName: 'dev', expectedVersion: 7 })))
    expect(error.name).toBe('VersionConflictException')
    expect(error.$metadata.httpStatusCode).toBe(409)
    await sandbox.iot.send(new DeleteThingCommand({ thingName: 'dev', expectedVersion: 1 }))
    expect((await refused(sandbox.iot.send(new DescribeThingCommand({ thingName: 'dev' })))).name).toBe('ResourceNotFoundException')
  })

  it('refuses while a certificate is attached, with AWS\'s message, and deletes once it is detached', async () => {
    const { iot } = sandbox
    await iot.send(new CreateThingCommand({ thingName: 'dev' }))
    const certificate = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: false }))
    await iot.send(new AttachThingPrincipalCommand({ thingName: 'dev', principal: certificate.certificateArn }))

    const error = await refused(iot.send(new DeleteThingCommand({ thingName: 'dev' })))
    expect(error.name).toBe('InvalidRequestException')
    expect(error.$metadata.httpStatusCode).toBe(400)
    expect(error.message).toMatch(/^Cannot delete\. Thing dev is still attached to one or more principals/)
    expect((await iot.send(new DescribeThingCommand({ thingName: 'dev' }))).thingName).toBe('dev')

    await iot.send(new DetachThingPrincipalCommand({ thingName: 'dev', principal: certificate.certificateArn }))
    await iot.send(new DeleteThingCommand({ thingName: 'dev' }))
    expect((await refused(iot.send(new DescribeThingCommand({ thingName: 'dev' })))).name).toBe('ResourceNotFoundException')
  })

  it('takes the thing out of its groups, so a new thing of the same name starts in none', async () => {
    const { iot } = sandbox
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'floor-1' }))
    await iot.send(new CreateThingCommand({ thingName: 'dev' }))
    await iot.send(new AddThingToThingGroupCommand({ thingName: 'dev', thingGroupName: 'floor-1' }))
    await iot.send(new DeleteThingCommand({ thingName: 'dev' }))

    expect((await iot.send(new ListThingsInThingGroupCommand({ thingGroupName: 'floor-1' }))).things).toEqual([])
    await iot.send(new CreateThingCommand({ thingName: 'dev' }))
    expect((await iot.send(new ListThingGroupsForThingCommand({ thingName: 'dev' }))).thingGroups).toEqual([])
  })
})

describe('ListThings filters', () => {
  beforeEach(async () => {
    const { iot } = sandbox
    await iot.send(new CreateThingTypeCommand({ thingTypeName: 'lamp' }))
    await iot.send(new CreateThingCommand({ thingName: 'a-lamp', thingTypeName: 'lamp', attributePayload: { attributes: { site: 'berlin-1' } } }))
    await iot.send(new CreateThingCommand({ thingName: 'b-sensor', attributePayload: { attributes: { site: 'berlin-2' } } }))
    await iot.send(new CreateThingCommand({ thingName: 'c-sensor', attributePayload: { attributes: { site: 'paris' } } }))
    await iot.send(new CreateThingCommand({ thingName: 'd-bare' }))
  })

  const names = async (input: ListThingsCommandInput): Promise<string[]> =>
    ((await sandbox.iot.send(new ListThingsCommand(input))).things ?? []).map((thing) => thing.thingName ?? '')

  it('filters by attribute value, by prefix, by attribute name alone and by thing type', async () => {
    expect(await names({ attributeName: 'site', attributeValue: 'paris' })).toEqual(['c-sensor'])
    expect(await names({ attributeName: 'site', attributeValue: 'berlin', usePrefixAttributeValue: true })).toEqual(['a-lamp', 'b-sensor'])
    expect(await names({ attributeName: 'site', attributeValue: 'berlin' })).toEqual([])
    expect(await names({ attributeName: 'site' })).toEqual(['a-lamp', 'b-sensor', 'c-sensor'])
    expect(await names({ thingTypeName: 'lamp' })).toEqual(['a-lamp'])
    expect(await names({})).toEqual(['a-lamp', 'b-sensor', 'c-sensor', 'd-bare'])
  })

  it('returns each thing with its type, attributes and version', async () => {
    const listed = await sandbox.iot.send(new ListThingsCommand({ thingTypeName: 'lamp' }))
    expect(listed.things).toEqual([
      {
        thingName: 'a-lamp',
        thingTypeName: 'lamp',
        thingArn: `arn:aws:iot:${sandbox.core.region}:${sandbox.core.accountId}:thing/a-lamp`,
        attributes: { site: 'berlin-1' },
        version: 1
      }
    ])
  })

  it('refuses an attribute value without its name and maxResults outside 1–250', async () => {
    const noName = await refused(sandbox.iot.send(new ListThingsCommand({ attributeValue: 'paris' })))
    expect(noName.name).toBe('InvalidRequestException')
    expect(noName.$metadata.httpStatusCode).toBe(400)
    expect(noName.message).toMatch(/attributeName/)
    for (const maxResults of [0, 251]) {
      const error = await refused(sandbox.iot.send(new ListThingsCommand({ maxResults })))
      expect(error.name).toBe('InvalidRequestException')
      expect(error.message).toMatch(new RegExp(`Value '${maxResults}' at 'maxResults' failed to satisfy constraint`))
    }
  })
})

describe('persistence', () => {
  it('keeps things, their ids, versions and attributes across a restart on the same data directory', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingbench-registry-'))
    const secretProtector = testSecretProtector()
    try {
      const first = await startTestSandbox({ dataDir, secretProtector })
      const created = await first.iot.send(new CreateThingCommand({ thingName: 'kept', attributePayload: { attributes: { a: '1' } } }))
      await first.iot.send(new UpdateThingCommand({ thingName: 'kept', attributePayload: { attributes: { b: '2' }, merge: true } }))
      await first.stop()

      const second = await startTestSandbox({ dataDir, secretProtector })
      try {
        const described = await second.iot.send(new DescribeThingCommand({ thingName: 'kept' }))
        expect(described).toMatchObject({ thingId: created.thingId, attributes: { a: '1', b: '2' }, version: 2 })
      } finally {
        await second.stop()
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
