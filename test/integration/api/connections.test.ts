import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { NativeDialogs } from '../../../electron/app/api'
import type { ConnectionChoice } from '../../../electron/contract'
import { startTestApi, type TestApi } from '../../support/apiBackend'
import { cliEnv, runThingbench } from '../../support/thingbenchProcess'

// The UI chooses among the connections the back end offers, by id. A custom endpoint becomes one
// only after a person confirms its URL in a dialog of the app (Electron), or adds it with the CLI.

let t: TestApi
let browser: TestApi
let awsDir: string
const confirmations: Array<{ url: string; region: string }> = []
let confirm = false
const dialogs: NativeDialogs = {
  chooseExportFolder: async () => null,
  chooseFolder: async () => null,
  pickCertificateFile: async () => null,
  confirmEndpoint: async (url, region) => {
    confirmations.push({ url, region })
    return confirm
  }
}
const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE, region: process.env.AWS_REGION, defaultRegion: process.env.AWS_DEFAULT_REGION }

beforeAll(async () => {
  // The profiles a technician has in ~/.aws, here in a folder of the test's own.
  awsDir = await mkdtemp(join(tmpdir(), 'tb-aws-'))
  await writeFile(join(awsDir, 'config'), '[default]\nregion = eu-west-1\n\n[profile field]\nregion = us-east-2\n\n[profile noregion]\noutput = json\n')
  await writeFile(join(awsDir, 'credentials'), '[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n')
  process.env.AWS_CONFIG_FILE = join(awsDir, 'config')
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(awsDir, 'credentials')
  delete process.env.AWS_REGION
  delete process.env.AWS_DEFAULT_REGION
  ;[t, browser] = await Promise.all([startTestApi({ dialogs }), startTestApi()])
})
afterEach(async () => {
  delete process.env.AWS_REGION
  confirmations.length = 0
  await t.api.call('connections.select', { id: 'local' })
})
afterAll(async () => {
  await Promise.all([t?.close(), browser?.close()])
  await rm(awsDir, { recursive: true, force: true })
  for (const [name, value] of [
    ['AWS_CONFIG_FILE', saved.config],
    ['AWS_SHARED_CREDENTIALS_FILE', saved.credentials],
    ['AWS_REGION', saved.region],
    ['AWS_DEFAULT_REGION', saved.defaultRegion]
  ] as const)
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

  it('selects a profile by id, tells every window, and goes back to the Local IoT Core', async () => {
    const changes: ConnectionChoice[] = []
    const stop = t.api.on('connections.changed', (c) => changes.push(c))
    const field = await t.api.call('connections.select', { id: 'profile:field' })
    expect(field).toMatchObject({ id: 'profile:field', region: 'us-east-2', connection: { kind: 'profile', profile: 'field' } })
    expect((await t.api.call('connections.list', {})).active).toEqual(field)
    // Templates now use the profile's region; the account needs a call, so it stays a placeholder.
    const [shadow] = await t.api.call('policies.templates', {})
    expect(shadow!.document).toContain('arn:aws:iot:us-east-2:<account-id>:client/')

    await t.api.call('connections.select', { id: 'local' })
    stop()
    expect(changes.map((c) => c.id)).toEqual(['profile:field', 'local'])
  })

  it('refuses a connection it does not offer — a profile that does not exist, an endpoint nobody saved — and keeps the connection', async () => {
    await t.api.call('connections.select', { id: 'profile:field' })
    await expect(t.api.call('connections.select', { id: 'profile:ghost' })).rejects.toMatchObject({ errorName: 'ConnectionNotFound' })
    await expect(t.api.call('connections.select', { id: 'endpoint:https://collector.example' })).rejects.toMatchObject({ errorName: 'ConnectionNotFound' })
    // The old shape, a whole connection with any URL, is not accepted at all.
    await expect(
      t.api.call('connections.select', { connection: { kind: 'endpoint', url: 'https://collector.example', region: 'eu-west-1' } } as never)
    ).rejects.toMatchObject({ errorName: 'InvalidArguments' })
    expect((await t.api.call('connections.list', {})).active.id).toBe('profile:field')
  })

  it('a profile without a region takes one when chosen, else falls back to AWS_REGION — the same region for its calls and its templates', async () => {
    await expect(t.api.call('connections.select', { id: 'profile:noregion' })).rejects.toMatchObject({ errorName: 'MissingRegion' })
    expect(await t.api.call('connections.select', { id: 'profile:noregion', region: 'ap-south-1' })).toMatchObject({ region: 'ap-south-1' })
    await expect(t.api.call('connections.select', { id: 'local', region: 'ap-south-1' })).rejects.toMatchObject({ errorName: 'InvalidArguments' })

    process.env.AWS_REGION = 'eu-north-1'
    expect(await t.api.call('connections.select', { id: 'profile:noregion' })).toMatchObject({ region: 'eu-north-1' })
    const [shadow] = await t.api.call('policies.templates', {})
    expect(shadow!.document).toContain('arn:aws:iot:eu-north-1:<account-id>:client/')
  })
})

describe('custom endpoints', () => {
  it('Electron: adds one only after the person confirms its URL in the app, saved in the home', async () => {
    confirm = false
    expect(await t.api.call('connections.addEndpoint', { url: 'http://127.0.0.1:5000/', region: 'us-east-1' })).toEqual({ cancelled: true })
    expect(confirmations).toEqual([{ url: 'http://127.0.0.1:5000', region: 'us-east-1' }])
    expect((await t.api.call('connections.list', {})).choices.map((c) => c.id)).not.toContain('endpoint:http://127.0.0.1:5000')

    confirm = true
    const answer = await t.api.call('connections.addEndpoint', { url: 'http://127.0.0.1:5000/', region: 'us-east-1', label: 'moto' })
    expect(answer).toEqual({
      added: { id: 'endpoint:http://127.0.0.1:5000', label: 'moto', region: 'us-east-1', connection: { kind: 'endpoint', url: 'http://127.0.0.1:5000', region: 'us-east-1' } }
    })
    expect(JSON.parse(await readFile(join(t.home, 'settings.json'), 'utf8'))).toEqual({ savedEndpoints: [{ url: 'http://127.0.0.1:5000', region: 'us-east-1', label: 'moto' }] })
    expect(await t.api.call('connections.select', { id: 'endpoint:http://127.0.0.1:5000' })).toMatchObject({ label: 'moto' })
  })

  it('refuses a URL that is not http(s), or carries credentials, before asking', async () => {
    for (const url of ['file:///etc/passwd', 'http://user:pw@127.0.0.1:5000', 'not a url'])
      await expect(t.api.call('connections.addEndpoint', { url, region: 'us-east-1' })).rejects.toMatchObject({ errorName: 'InvalidArguments' })
    expect(confirmations).toEqual([])
  })

  it('browser mode: refuses with the CLI command to use; `thingbench connections add` saves it, and then the UI can choose it', async () => {
    await expect(browser.api.call('connections.addEndpoint', { url: 'http://127.0.0.1:9', region: 'eu-west-1' })).rejects.toMatchObject({
      errorName: 'ConfirmationUnavailable',
      message: expect.stringContaining('thingbench connections add --endpoint http://127.0.0.1:9 --region eu-west-1')
    })
    const added = await runThingbench(['connections', 'add', '--endpoint', 'http://127.0.0.1:9', '--region', 'eu-west-1'], cliEnv(browser.home))
    expect(added.code).toBe(0)
    expect(added.stdout).toMatch(/Saved the connection http:\/\/127\.0\.0\.1:9/)
    const listed = await runThingbench(['connections', 'list'], cliEnv(browser.home))
    expect(listed.stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([{ url: 'http://127.0.0.1:9', region: 'eu-west-1' }])

    const choice = await browser.api.call('connections.select', { id: 'endpoint:http://127.0.0.1:9' })
    expect(choice).toMatchObject({ connection: { kind: 'endpoint', url: 'http://127.0.0.1:9', region: 'eu-west-1' } })
    // Nothing listens there: the failure names the network and the URL.
    await expect(browser.api.call('things.list', {})).rejects.toMatchObject({ errorName: 'NetworkError', message: expect.stringMatching(/127\.0\.0\.1:9/) })
    await browser.api.call('connections.select', { id: 'local' })

    const wrong = await runThingbench(['connections', 'add', '--endpoint', 'ftp://x', '--region', 'eu-west-1'], cliEnv(browser.home))
    expect(wrong).toMatchObject({ code: 2, stderr: expect.stringContaining('--endpoint: An endpoint is an http:// or https:// URL') })
  })
})
