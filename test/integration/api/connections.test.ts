import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionChoice } from '../../../electron/contract'
import { startTestApi, type TestApi } from '../../support/apiBackend'

let t: TestApi
let awsDir: string
const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE, region: process.env.AWS_REGION }

beforeAll(async () => {
  // The profiles a technician has in ~/.aws, here in a folder of the test's own.
  awsDir = await mkdtemp(join(tmpdir(), 'tb-aws-'))
  await writeFile(join(awsDir, 'config'), '[default]\nregion = eu-west-1\n\n[profile field]\nregion = us-east-2\n\n[profile noregion]\noutput = json\n')
  await writeFile(join(awsDir, 'credentials'), '[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n')
  process.env.AWS_CONFIG_FILE = join(awsDir, 'config')
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(awsDir, 'credentials')
  delete process.env.AWS_REGION
  t = await startTestApi()
})
afterAll(async () => {
  await t?.close()
  await rm(awsDir, { recursive: true, force: true })
  for (const [name, value] of [['AWS_CONFIG_FILE', saved.config], ['AWS_SHARED_CREDENTIALS_FILE', saved.credentials], ['AWS_REGION', saved.region]] as const)
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
})

describe('connections', () => {
  it('lists the Local IoT Core, active by default, and every AWS profile with its region', async () => {
    const { active, choices } = await t.api.call('connections.list', {})
    expect(active).toEqual({ id: 'local', label: 'Local IoT Core', connection: { kind: 'local' } })
    expect(choices.map(({ id, region }) => ({ id, region }))).toEqual([
      { id: 'local', region: undefined },
      { id: 'profile:default', region: 'eu-west-1' },
      { id: 'profile:field', region: 'us-east-2' },
      { id: 'profile:noregion', region: undefined }
    ])
  })

  it('selects a profile, tells every window, and goes back to the Local IoT Core', async () => {
    const changes: ConnectionChoice[] = []
    const stop = t.api.on('connections.changed', (c) => changes.push(c))
    const field = await t.api.call('connections.select', { connection: { kind: 'profile', profile: 'field' } })
    expect(field).toMatchObject({ id: 'profile:field', region: 'us-east-2' })
    expect((await t.api.call('connections.list', {})).active).toEqual(field)
    // Templates now use the profile's region; the account needs a call, so it stays a placeholder.
    const [shadow] = await t.api.call('policies.templates', {})
    expect(shadow!.document).toContain('arn:aws:iot:us-east-2:<account-id>:client/')

    await t.api.call('connections.select', { connection: { kind: 'local' } })
    stop()
    expect(changes.map((c) => c.id)).toEqual(['profile:field', 'local'])
  })

  it('refuses a profile that does not exist, or has no region, and keeps the connection', async () => {
    await expect(t.api.call('connections.select', { connection: { kind: 'profile', profile: 'ghost' } })).rejects.toMatchObject({ errorName: 'ProfileNotFound' })
    await expect(t.api.call('connections.select', { connection: { kind: 'profile', profile: 'noregion' } })).rejects.toMatchObject({ errorName: 'MissingRegion' })
    expect(await t.api.call('connections.select', { connection: { kind: 'profile', profile: 'noregion', region: 'ap-south-1' } })).toMatchObject({ region: 'ap-south-1' })
    await t.api.call('connections.select', { connection: { kind: 'local' } })
    expect((await t.api.call('connections.list', {})).active.id).toBe('local')
  })

  it('names the network failure when an endpoint cannot be reached', async () => {
    await t.api.call('connections.select', { connection: { kind: 'endpoint', url: 'http://127.0.0.1:9', region: 'eu-west-1' } })
    await expect(t.api.call('things.list', {})).rejects.toMatchObject({ errorName: 'NetworkError', message: expect.stringMatching(/127\.0\.0\.1:9/) })
    await t.api.call('connections.select', { connection: { kind: 'local' } })
  })
})
