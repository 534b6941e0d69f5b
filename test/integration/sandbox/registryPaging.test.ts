import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import {
  CreateThingCommand,
  DeleteThingCommand,
  IoTServiceException,
  ListThingsCommand,
  paginateListThings,
  type ListThingsCommandInput
} from '@aws-sdk/client-iot'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'

// Paging through a registry of a few hundred things with the SDK, its paginator and the AWS CLI.

const run = promisify(execFile)
const THING_COUNT = 300
const names = Array.from({ length: THING_COUNT }, (_, i) => `device-${String(i).padStart(4, '0')}`)

let sandbox: TestSandbox

beforeAll(async () => {
  sandbox = await startTestSandbox()
  // Small concurrent batches: quick, without flooding the shared machine.
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(
      names.slice(i, i + 20).map((thingName, j) =>
        sandbox.iot.send(
          new CreateThingCommand({ thingName, attributePayload: { attributes: { parity: (i + j) % 2 === 0 ? 'even' : 'odd' } } })
        )
      )
    )
  }
}, 120_000)

afterAll(async () => {
  await sandbox?.stop()
})

async function pageSizes(input: ListThingsCommandInput): Promise<{ sizes: number[]; names: string[] }> {
  const sizes: number[] = []
  const seen: string[] = []
  let nextToken: string | undefined
  do {
    const page = await sandbox.iot.send(new ListThingsCommand({ ...input, nextToken }))
    sizes.push(page.things?.length ?? 0)
    seen.push(...(page.things ?? []).map((thing) => thing.thingName ?? ''))
    nextToken = page.nextToken
  } while (nextToken)
  return { sizes, names: seen }
}

describe('ListThings paging', () => {
  it('returns every thing once, in name order, in pages of maxResults', async () => {
    const { sizes, names: listed } = await pageSizes({ maxResults: 250 })
    expect(sizes).toEqual([250, 50])
    expect(listed).toEqual(names)
  })

  it('uses pages of 50 when maxResults is not given', async () => {
    const { sizes, names: listed } = await pageSizes({})
    expect(sizes).toEqual([50, 50, 50, 50, 50, 50])
    expect(listed).toEqual(names)
  })

  it('pages a filtered list', async () => {
    const { sizes, names: listed } = await pageSizes({ attributeName: 'parity', attributeValue: 'odd', maxResults: 100 })
    expect(sizes).toEqual([100, 50])
    expect(listed).toEqual(names.filter((_, i) => i % 2 === 1))
  })

  it("works with the SDK's paginator", async () => {
    const listed: string[] = []
    for await (const page of paginateListThings({ client: sandbox.iot, pageSize: 120 }, {}))
      listed.push(...(page.things ?? []).map((thing) => thing.thingName ?? ''))
    expect(listed).toEqual(names)
  })

  it('continues after the last name seen when things are added and deleted between pages', async () => {
    const first = await sandbox.iot.send(new ListThingsCommand({ maxResults: 100 }))
    expect(first.things?.at(-1)?.thingName).toBe('device-0099')
    await sandbox.iot.send(new DeleteThingCommand({ thingName: 'device-0010' }))
    await sandbox.iot.send(new CreateThingCommand({ thingName: 'device-0005a' }))
    try {
      const second = await sandbox.iot.send(new ListThingsCommand({ maxResults: 100, nextToken: first.nextToken }))
      expect(second.things?.[0]?.thingName).toBe('device-0100')
      expect(second.things?.at(-1)?.thingName).toBe('device-0199')
    } finally {
      await sandbox.iot.send(new DeleteThingCommand({ thingName: 'device-0005a' }))
      await sandbox.iot.send(new CreateThingCommand({ thingName: 'device-0010', attributePayload: { attributes: { parity: 'even' } } }))
    }
  })

  it('refuses a nextToken it did not hand out', async () => {
    try {
      await sandbox.iot.send(new ListThingsCommand({ nextToken: 'bogus' }))
      expect.unreachable('a made-up nextToken was accepted')
    } catch (error) {
      expect(error).toBeInstanceOf(IoTServiceException)
      expect((error as IoTServiceException).name).toBe('InvalidRequestException')
      expect((error as IoTServiceException).$metadata.httpStatusCode).toBe(400)
    }
  })
})

describe('AWS CLI', () => {
  it('lists every thing with `aws iot list-things --endpoint-url`', async () => {
    const { core } = sandbox
    const noFile = path.join(sandbox.dataDir, 'no-such-aws-config')
    const { stdout } = await run('aws', ['iot', 'list-things', '--endpoint-url', core.controlPlaneUrl, '--output', 'json'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ACCESS_KEY_ID: core.accessKeyId,
        AWS_SECRET_ACCESS_KEY: core.secretAccessKey,
        AWS_REGION: core.region,
        AWS_DEFAULT_REGION: core.region,
        // Keep the user's own AWS profile out of the test.
        AWS_CONFIG_FILE: noFile,
        AWS_SHARED_CREDENTIALS_FILE: noFile
      },
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024
    })
    const output = JSON.parse(stdout) as { things: Array<{ thingName: string; attributes: Record<string, string>; version: number }> }
    expect(output.things.map((thing) => thing.thingName)).toEqual(names)
    expect(output.things[1]).toMatchObject({ thingName: 'device-0001', attributes: { parity: 'odd' }, version: 1 })
  }, 60_000)
})
