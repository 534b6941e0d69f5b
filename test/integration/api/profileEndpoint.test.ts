import { CreateThingCommand } from '@aws-sdk/client-iot'
import { GetThingShadowCommand, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDataPlaneClient, createIotClient } from '../../../electron/core/aws'
import { startTestApi, type TestApi } from '../../support/apiBackend'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'

// A profile whose ~/.aws/config names an endpoint (endpoint_url, or a services section) sends its
// calls there, as the AWS CLI does: here, to a Local IoT Core the test starts.

let sandbox: TestSandbox
let t: TestApi
let awsDir: string
const savedEnv = { ...process.env }

beforeAll(async () => {
  sandbox = await startTestSandbox()
  const { core } = sandbox
  await sandbox.iot.send(new CreateThingCommand({ thingName: 'made-in-the-local-core' }))
  awsDir = await mkdtemp(join(tmpdir(), 'tb-aws-endpoint-'))
  await writeFile(
    join(awsDir, 'config'),
    [
      `[profile bench-local]`,
      `region = ${core.region}`,
      `endpoint_url = ${core.controlPlaneUrl}`,
      '',
      `[profile bench-split]`,
      `region = ${core.region}`,
      'services = local-core',
      '',
      `[profile bench-broken]`,
      `region = ${core.region}`,
      'services = not-there',
      '',
      `[profile bench-ignoring]`,
      `region = ${core.region}`,
      `endpoint_url = ${core.controlPlaneUrl}`,
      'ignore_configured_endpoint_urls = true',
      '',
      '[services local-core]',
      'iot =',
      `  endpoint_url = ${core.controlPlaneUrl}`,
      'iot_data_plane =',
      `  endpoint_url = ${core.dataPlaneUrl}`,
      ''
    ].join('\n')
  )
  const keys = `aws_access_key_id = ${core.accessKeyId}\naws_secret_access_key = ${core.secretAccessKey}\n`
  await writeFile(join(awsDir, 'credentials'), ['bench-local', 'bench-split', 'bench-broken', 'bench-ignoring'].map((name) => `[${name}]\n${keys}`).join('\n'))
  process.env.AWS_CONFIG_FILE = join(awsDir, 'config')
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(awsDir, 'credentials')
  for (const name of ['AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_IOT', 'AWS_ENDPOINT_URL_IOT_DATA_PLANE', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS']) delete process.env[name]
  t = await startTestApi()
}, 60_000)
afterAll(async () => {
  await t?.close()
  await sandbox?.stop()
  process.env = savedEnv
  if (awsDir) await rm(awsDir, { recursive: true, force: true })
})

describe('a profile with an endpoint in the AWS config', () => {
  it("lists the things of the endpoint_url it names, through the app's profile connection", async () => {
    await t.api.call('connections.select', { id: 'profile:bench-local' })
    const listed = await t.api.call('things.list', {})
    expect(listed.things.map((thing) => thing.thingName)).toContain('made-in-the-local-core')
  })

  it("sends control-plane and shadow calls to the services section's endpoints", async () => {
    const region = sandbox.core.region
    const iot = await createIotClient({ region, profile: 'bench-split' })
    expect((await iot.send(new CreateThingCommand({ thingName: 'split-lamp' }))).thingName).toBe('split-lamp')
    // The endpoint the caller discovered is only a default: the profile's data-plane endpoint wins, as in the CLI.
    const shadows = await createDataPlaneClient({ region, profile: 'bench-split', endpoint: 'https://unused.iot.invalid' })
    await shadows.send(new UpdateThingShadowCommand({ thingName: 'split-lamp', payload: new TextEncoder().encode(JSON.stringify({ state: { desired: { on: true } } })) }))
    const shadow = await shadows.send(new GetThingShadowCommand({ thingName: 'split-lamp' }))
    expect(JSON.parse(new TextDecoder().decode(shadow.payload))).toMatchObject({ state: { desired: { on: true } } })
  })

  it('says which services section is missing instead of calling AWS', async () => {
    await expect(createIotClient({ region: sandbox.core.region, profile: 'bench-broken' })).rejects.toThrow(
      /Profile bench-broken says services = not-there, but the AWS config file has no \[services not-there\] section/
    )
  })

  it('goes to AWS when the profile says ignore_configured_endpoint_urls', async () => {
    const iot = await createIotClient({ region: sandbox.core.region, profile: 'bench-ignoring' })
    const endpoint = await iot.config.endpoint?.()
    expect(endpoint?.hostname ?? '').not.toBe('127.0.0.1')
  })
})
