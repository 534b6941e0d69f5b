import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServingHome, startThingbench, type CliResult, type RunningThingbench, type ServingHome } from '../../support/thingbenchProcess'

// `thingbench shadow …` and `thingbench device` end to end: the built CLI as child processes
// against a `thingbench sandbox` serving the same home, each thing provisioned with
// `thingbench provision` (certificate key in the real keychain, the seed's shadow policy).

let serving: ServingHome
const env = () => serving.env()
const thingbench = (...args: string[]): Promise<CliResult> => serving.thingbench(...args)

beforeAll(async () => {
  serving = await startServingHome('tb-cli-shadow-', ['lamp-a', 'lamp-b', 'lamp-c', 'lamp-d'])
}, 60_000)
afterAll(async () => {
  await serving?.stop()
})

/** Runs a shadow command that must succeed and returns the JSON it printed. */
async function shadowJson(...args: string[]): Promise<Record<string, unknown>> {
  const result = await thingbench('shadow', ...args, '--json')
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as Record<string, unknown>
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the lines are the CLI's JSON, matched by their fields
type PrintedEvent = Record<string, any>

/** The first JSON line a running command printed (so far or later) that `matches`. */
async function printedJson<T = Record<string, unknown>>(running: RunningThingbench, matches: (event: PrintedEvent) => boolean): Promise<T> {
  const line = await running.waitForLine((text) => {
    try {
      return matches(JSON.parse(text) as Record<string, unknown>)
    } catch {
      return false
    }
  })
  return JSON.parse(line) as T
}

/** Stops a long-running command with SIGTERM; resolves with its exit code. */
async function terminate(running: RunningThingbench): Promise<number | null> {
  const closed = once(running.child, 'close')
  running.child.kill('SIGTERM')
  const [code] = (await closed) as [number | null]
  return code
}

describe('thingbench shadow get, update, delete, list', () => {
  it('over HTTP and over MQTT as the thing: the same documents, versions continuing across both', async () => {
    const updated = await shadowJson('update', '--thing', 'lamp-a', '--desired', '{"on":true,"level":3}')
    expect(updated).toMatchObject({ state: { desired: { on: true, level: 3 } }, version: 1 })

    const overHttp = await shadowJson('get', '--thing', 'lamp-a')
    const overMqtt = await shadowJson('get', '--thing', 'lamp-a', '--via', 'mqtt')
    expect(overHttp).toMatchObject({ state: { desired: { on: true, level: 3 }, delta: { on: true, level: 3 } }, version: 1 })
    expect(overMqtt.state).toEqual(overHttp.state)
    expect(overMqtt.version).toBe(1)

    // The device reports over MQTT; the delta is gone for what it reported.
    const reported = await shadowJson('update', '--thing', 'lamp-a', '--reported', '{"on":true}', '--via', 'mqtt')
    expect(reported).toMatchObject({ state: { reported: { on: true } }, version: 2 })
    expect(await shadowJson('get', '--thing', 'lamp-a')).toMatchObject({ state: { reported: { on: true }, delta: { level: 3 } }, version: 2 })

    expect(await shadowJson('delete', '--thing', 'lamp-a', '--via', 'mqtt')).toMatchObject({ version: 2 })
    const gone = await thingbench('shadow', 'get', '--thing', 'lamp-a')
    expect(gone.code).toBe(1)
    expect(gone.stderr).toMatch(/^thingbench shadow: ResourceNotFoundException: .*lamp-a/)
  })

  it('named shadows, with documents from files, listed over HTTP', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tb-cli-doc-'))
    try {
      await writeFile(join(dir, 'desired.json'), '{"interval": 60}')
      expect(await shadowJson('update', '--thing', 'lamp-b', '--name', 'config', '--desired', `@${join(dir, 'desired.json')}`)).toMatchObject({
        state: { desired: { interval: 60 } },
        version: 1
      })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    await shadowJson('update', '--thing', 'lamp-b', '--name', 'firmware', '--reported', '{"version":"1.2.0"}', '--via', 'mqtt')
    expect(await shadowJson('get', '--thing', 'lamp-b', '--name', 'config', '--via', 'mqtt')).toMatchObject({ state: { desired: { interval: 60 } } })
    expect(await shadowJson('list', '--thing', 'lamp-b')).toEqual({ thingName: 'lamp-b', names: ['config', 'firmware'] })
    const plain = await thingbench('shadow', 'list', '--thing', 'lamp-b')
    expect(plain.stdout).toBe('config\nfirmware\n')
  })

  it('a version conflict prints both sides, exits 1 naming ConflictException, and changes nothing', async () => {
    await shadowJson('update', '--thing', 'lamp-c', '--desired', '{"on":false}')
    await shadowJson('update', '--thing', 'lamp-c', '--desired', '{"on":true}')
    for (const via of ['http', 'mqtt']) {
      const result = await thingbench('shadow', 'update', '--thing', 'lamp-c', '--desired', '{"on":false}', '--version', '1', '--via', via, '--json')
      expect(result.code, via).toBe(1)
      expect(result.stderr).toMatch(/^thingbench shadow: ConflictException: Version conflict: the update named version 1, but the classic shadow of lamp-c is at version 2/)
      const sides = JSON.parse(result.stdout) as { attempted: { version: number; state: unknown }; current: { version: number; state: unknown } }
      expect(sides.attempted).toMatchObject({ version: 1, state: { desired: { on: false } } })
      expect(sides.current).toMatchObject({ version: 2, state: { desired: { on: true } } })
    }
    expect(await shadowJson('get', '--thing', 'lamp-c')).toMatchObject({ version: 2, state: { desired: { on: true } } })
    // With the current version it goes through.
    expect(await shadowJson('update', '--thing', 'lamp-c', '--desired', '{"on":false}', '--version', '2')).toMatchObject({ version: 3 })
  })

  it('bad JSON and wrong flags are refused with exit 2 before anything is sent', async () => {
    const before = await shadowJson('get', '--thing', 'lamp-c')
    const refusals: Array<[string[], RegExp]> = [
      [['update', '--thing', 'lamp-c', '--desired', '{on:true}'], /--desired is not valid JSON \(.*\); nothing was sent/],
      [['update', '--thing', 'lamp-c', '--reported', '[1,2]'], /--reported must be a JSON object .* got an array; nothing was sent/],
      [['update', '--thing', 'lamp-c', '--desired', '@/nonexistent/desired.json'], /--desired @\/nonexistent\/desired\.json: cannot read \/nonexistent\/desired\.json \(ENOENT\)/],
      [['update', '--thing', 'lamp-c'], /shadow update needs --desired JSON or --reported JSON/],
      [['update', '--thing', 'lamp-c', '--desired', '{}', '--version', 'two'], /--version must be the shadow's version, a whole number/],
      [['get', '--thing', 'lamp/c'], /Thing name may contain only .*\(InvalidRequestException\); nothing was sent/],
      [['get', '--thing', 'lamp-c', '--via', 'carrier-pigeon'], /--via must be http or mqtt/],
      [['list', '--thing', 'lamp-c', '--via', 'mqtt'], /shadow list works over HTTP only/],
      [['frobnicate', '--thing', 'lamp-c'], /shadow needs one of get, update, delete, list, watch, got "frobnicate"/]
    ]
    for (const [args, message] of refusals) {
      const result = await thingbench('shadow', ...args)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr, args.join(' ')).toMatch(message)
      expect(result.stderr).toMatch(/Run thingbench --help for usage\.\n$/)
    }
    const device = await thingbench('device', '--thing', 'lamp-c', '--report', '{"on":')
    expect(device.code).toBe(2)
    expect(device.stderr).toMatch(/^thingbench device: --report is not valid JSON/)
    const after = await shadowJson('get', '--thing', 'lamp-c')
    expect({ version: after.version, state: after.state }).toEqual({ version: before.version, state: before.state })
  })

  it("another thing's shadow over MQTT is refused with the policy's reason, and that shadow is unchanged", async () => {
    await shadowJson('update', '--thing', 'lamp-d', '--desired', '{"on":true}')
    const result = await thingbench('shadow', 'update', '--thing', 'lamp-d', '--desired', '{"on":false}', '--via', 'mqtt', '--as-thing', 'lamp-b')
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^thingbench shadow: ConnectionClosed: The MQTT connection of the thing lamp-b .*the policy does not allow subscribing to \$aws\/things\/lamp-d\/shadow\/update\/accepted/)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(await shadowJson('get', '--thing', 'lamp-d')).toMatchObject({ version: 1, state: { desired: { on: true } } })
  })
})

describe('thingbench shadow watch and thingbench device', () => {
  it('the watch prints the document an update made, and exits 0 on SIGTERM', async () => {
    const watch = await startThingbench(['shadow', 'watch', '--thing', 'lamp-watch'], env())
    expect(JSON.parse(watch.line)).toEqual({ type: 'absent' })
    await shadowJson('update', '--thing', 'lamp-watch', '--desired', '{"color":"red"}')
    const document = await printedJson(watch, (event) => event.type === 'document')
    expect(document).toMatchObject({ type: 'document', source: 'documents', document: { state: { desired: { color: 'red' } }, version: 1 }, previous: null })
    const delta = await printedJson(watch, (event) => event.type === 'delta')
    expect(delta).toMatchObject({ delta: { state: { color: 'red' }, version: 1 } })
    expect(await terminate(watch)).toBe(0)
  })

  it('device --auto-ack answers a desired change made by shadow update: the watch shows reported = desired', async () => {
    const device = await startThingbench(['device', '--thing', 'lamp-b', '--report', '{"on":false}', '--auto-ack', '--delay', '50'], env(), (line) =>
      line.includes('"type":"reported"')
    )
    expect(JSON.parse(device.line)).toMatchObject({ type: 'reported', patch: { on: false } })
    expect(await printedJson(device, (event) => event.type === 'connection')).toMatchObject({ state: 'connected' })
    const watch = await startThingbench(['shadow', 'watch', '--thing', 'lamp-b'], env())
    expect(JSON.parse(watch.line)).toMatchObject({ type: 'document', source: 'get', document: { state: { reported: { on: false } } } })

    const update = await shadowJson('update', '--thing', 'lamp-b', '--desired', '{"on":true}')
    expect(await printedJson(device, (event) => event.type === 'delta')).toMatchObject({ delta: { state: { on: true }, version: update.version } })
    const answered = await printedJson<{ version: number }>(device, (event) => event.type === 'reported' && event.patch.on === true)
    expect(answered.version).toBe((update.version as number) + 1)
    const synced = await printedJson<{ document: { state: { desired: unknown; reported: unknown } } }>(
      watch,
      (event) => event.type === 'document' && event.document.version === answered.version
    )
    expect(synced.document.state.reported).toEqual(synced.document.state.desired)
    expect(await shadowJson('get', '--thing', 'lamp-b')).not.toHaveProperty('state.delta')

    expect(await terminate(device)).toBe(0)
    expect(await terminate(watch)).toBe(0)
  })

  it('a device without --auto-ack prints the delta and leaves it unanswered', async () => {
    const device = await startThingbench(['device', '--thing', 'lamp-c'], env())
    expect(JSON.parse(device.line)).toMatchObject({ type: 'connection', state: 'connected' })
    const before = await shadowJson('get', '--thing', 'lamp-c')
    await shadowJson('update', '--thing', 'lamp-c', '--desired', '{"level":9}')
    expect(await printedJson(device, (event) => event.type === 'delta' && event.delta.state.level === 9)).toMatchObject({ delta: { version: (before.version as number) + 1 } })
    expect(await shadowJson('get', '--thing', 'lamp-c')).toMatchObject({ version: (before.version as number) + 1, state: { delta: { level: 9 } } })
    expect(await terminate(device)).toBe(0)
  })
})
