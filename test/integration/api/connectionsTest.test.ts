import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LocalCoreDetails } from '../../../electron/contract'
import { saveEndpoint } from '../../../electron/app/savedEndpoints'
import { findAwsClis, sandboxCliEnv } from '../../support/awsClis'
import { startTestApi, type TestApi } from '../../support/apiBackend'
import { neededTool } from '../../support/neededTool'

// Connections' "Test connection" and the Local IoT Core's details, against the real back end and its
// Local IoT Core: the checks say in words what answered and name AWS's error when something did not;
// the command lines the view shows are run as shown, by every AWS CLI here and by mosquitto_sub.

const run = promisify(execFile)
const mosquitto = neededTool('which', ['mosquitto_sub'])
let t: TestApi
let details: LocalCoreDetails
let shellHome: string

/** A shell with no AWS variables of its own: only the lines Connections shows may supply them. */
function bareShellEnv(): NodeJS.ProcessEnv {
  const env = sandboxCliEnv(shellHome, { accessKeyId: 'unset', secretAccessKey: 'unset', region: 'unset' })
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_DEFAULT_REGION']) delete env[name]
  return env
}

function shown(id: string): string {
  const command = details.commands.find((c) => c.id === id)?.command
  if (!command) throw new Error(`Connections shows no "${id}" command`)
  return command
}

beforeAll(async () => {
  t = await startTestApi()
  details = await t.api.call('connections.localCore', {})
  shellHome = await mkdtemp(join(tmpdir(), 'tb-shell-'))
})
afterAll(async () => {
  await t?.close()
  await rm(shellHome, { recursive: true, force: true })
})

describe('connections.test', () => {
  it('reports the Local IoT Core’s control plane and MQTT data endpoint as working, in words', async () => {
    const { checks } = await t.api.call('connections.test', { id: 'local' })
    expect(checks.map((c) => [c.check, c.ok])).toEqual([
      ['control-plane', true],
      ['mqtt', true]
    ])
    expect(checks[0]!.detail).toMatch(/^Control plane: works — DescribeEndpoint answered \S+ and ListThings answered/)
    expect(checks[1]!.detail).toMatch(/^MQTT data endpoint: works — an operator connected over WebSocket with SigV4/)
  })

  it('names AWS’s error when the control plane cannot be reached, and does not try MQTT without its address', async () => {
    await saveEndpoint(t.session.layout.settingsFile, { url: 'http://127.0.0.1:9', region: 'us-east-1' })
    // A custom endpoint signs with the environment's credentials: without them the check says so instead.
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY }
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE'
    process.env.AWS_SECRET_ACCESS_KEY = 'example-secret'
    const { checks } = await t.api.call('connections.test', { id: 'endpoint:http://127.0.0.1:9' }).finally(() => {
      for (const [name, value] of [
        ['AWS_ACCESS_KEY_ID', saved.id],
        ['AWS_SECRET_ACCESS_KEY', saved.secret]
      ] as const)
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
    })
    expect(checks[0]).toMatchObject({ check: 'control-plane', ok: false, errorName: 'NetworkError' })
    expect(checks[0]!.detail).toMatch(/^Control plane: failed — NetworkError: Could not reach .*127\.0\.0\.1:9/)
    expect(checks[1]).toMatchObject({ check: 'mqtt', ok: false, errorName: 'NotTried' })
  })

  it('refuses a connection that is not listed, changing nothing', async () => {
    await expect(t.api.call('connections.test', { id: 'profile:ghost' })).rejects.toMatchObject({ errorName: 'ConnectionNotFound' })
    expect((await t.api.call('connections.list', {})).active.id).toBe('local')
  })
})

describe('connections.dataEndpoint and connections.localCore', () => {
  it('gives the MQTT data endpoint and every Local IoT Core endpoint', async () => {
    expect(await t.api.call('connections.dataEndpoint', { id: 'local' })).toEqual({ host: details.mqttHost, port: details.mqttPort })
    expect(details.controlPlaneUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(details.deviceDataPlaneUrl).toMatch(/^https:\/\/localhost:\d+$/)
    expect(details.webSocketUrl).toMatch(/^wss:\/\/localhost:\d+\/mqtt$/)
    expect(details.commands.map((c) => c.id)).toEqual(['credentials', 'list-things', 'get-thing-shadow', 'mosquitto-sub'])
  })

  for (const [index, cli] of findAwsClis().entries())
    it(`${cli.label}: the shown credentials and commands work as shown`, async () => {
      await t.api.call('shadow.update', { thingName: 'shown-lamp', desired: { on: true } })
      const provisioned = await t.api.call('provisioning.run', { plan: { thingName: `shown-lamp-thing-${index}`, policy: { mode: 'none' } } })
      expect(provisioned.outcome).toBe('provisioned')
      const aws = (line: string) => line.replace(/^aws /, `${cli.path} `)
      const script = [shown('credentials'), aws(shown('list-things')), aws(shown('get-thing-shadow')).replaceAll('THING_NAME', 'shown-lamp')].join('\n')
      const { stdout } = await run('bash', ['-euc', script], { env: bareShellEnv(), cwd: shellHome })
      const [things, shadow] = stdout.split(/\n(?=\{\s*"state")/)
      expect((JSON.parse(things!) as { things: Array<{ thingName: string }> }).things.map((x) => x.thingName)).toContain(`shown-lamp-thing-${index}`)
      expect(JSON.parse(shadow!)).toMatchObject({ state: { desired: { on: true } } })
    })

  it('the shown mosquitto_sub line, with a thing’s exported certificate and key, receives its shadow documents', async () => {
    mosquitto.assertPresent()
    const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'shown-sub' } })
    if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
    const exported = await t.api.call('provisioning.exportBundle', { certificateId: outcome.result.certificateId, thingName: 'shown-sub', folder: shellHome })
    if ('cancelled' in exported) throw new Error('cancelled')
    const file = (suffix: string) => exported.files.find((f) => f.endsWith(suffix))!
    const line = shown('mosquitto-sub')
      .replaceAll('THING_NAME', 'shown-sub')
      .replace('CERTIFICATE.pem.crt', file('-certificate.pem.crt'))
      .replace('PRIVATE.pem.key', file('-private.pem.key'))
    const sub = spawn('bash', ['-euc', `exec stdbuf -oL ${line} -C 1 -W 15 -d`], { env: bareShellEnv(), cwd: shellHome })
    let output = ''
    sub.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    sub.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => sub.on('exit', resolve))
    await expect.poll(() => output, { timeout: 10_000 }).toMatch(/SUBACK/)
    await t.api.call('shadow.update', { thingName: 'shown-sub', desired: { on: true } })
    expect(await exited, output).toBe(0)
    expect(output).toMatch(/"current":\{"state":\{"desired":\{"on":true\}\}/)
  })
})
