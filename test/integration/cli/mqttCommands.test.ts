import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startServingHome, startThingbench, type CliResult, type RunningThingbench, type ServingHome } from '../../support/thingbenchProcess'

// `thingbench mqtt publish|subscribe` end to end: the built CLI as child processes against a
// `thingbench sandbox` serving the same home, as an operator (WebSocket + SigV4) and as a thing
// provisioned with `thingbench provision` (mutual TLS, the seed's shadow policy).

let serving: ServingHome
let home: string
const env = () => serving.env()
const thingbench = (...args: string[]): Promise<CliResult> => serving.thingbench(...args)

beforeAll(async () => {
  serving = await startServingHome('tb-cli-mqtt-', ['plug-1', 'plug-2'])
  home = serving.home
}, 60_000)
afterAll(async () => {
  await serving?.stop()
})

/** Starts `mqtt subscribe` and resolves once it says the broker granted the subscription. */
function subscribe(...args: string[]): Promise<RunningThingbench> {
  return startThingbench(['mqtt', 'subscribe', ...args], env(), (line) => line.startsWith('Subscribed to '), { readyOn: 'stderr' })
}

it('subscribe --count 1 prints the message a publish sent, as a JSON line, and exits 0 by itself', async () => {
  const subscriber = await subscribe('--topic', 'bench/+/status', '--count', '1')
  // Listened for before publishing: the subscriber may exit before the publisher does.
  const exited = once(subscriber.child, 'close')
  const published = await thingbench('mqtt', 'publish', '--topic', 'bench/3/status', '--message', '{"ok":true}')
  expect(published.code, published.stderr).toBe(0)
  expect(JSON.parse(published.stdout)).toEqual({ topic: 'bench/3/status', qos: 1, retain: false, bytes: 11 })
  const [code] = (await exited) as [number | null]
  expect(code, subscriber.stderr()).toBe(0)
  expect(await subscriber.waitForLine(() => true)).toBe('{"topic":"bench/3/status","payload":"{\\"ok\\":true}","qos":1,"retain":false}')
})

it('a binary file payload at QoS 0 arrives as base64; SIGTERM ends the subscription with exit 0', async () => {
  const subscriber = await subscribe('--topic', 'bench/raw', '--qos', '0')
  const dir = await mkdtemp(join(tmpdir(), 'tb-cli-payload-'))
  try {
    await writeFile(join(dir, 'frame.bin'), Buffer.from([0xff, 0x00, 0xfe]))
    const published = await thingbench('mqtt', 'publish', '--topic', 'bench/raw', '--message', `@${join(dir, 'frame.bin')}`, '--qos', '0')
    expect(published.code, published.stderr).toBe(0)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  expect(JSON.parse(await subscriber.waitForLine(() => true))).toEqual({ topic: 'bench/raw', payloadBase64: '/wD+', qos: 0, retain: false })
  subscriber.child.kill('SIGTERM')
  const [code] = (await once(subscriber.child, 'close')) as [number | null]
  expect(code).toBe(0)
})

it('as a thing: it publishes to its own shadow topic, and the shadow service takes the update', async () => {
  // The operator listens: a second connection as plug-1 (client id plug-1) would drop the first.
  const subscriber = await subscribe('--topic', '$aws/things/plug-1/shadow/update/accepted', '--count', '1')
  const exited = once(subscriber.child, 'close')
  const published = await thingbench('mqtt', 'publish', '--as-thing', 'plug-1', '--topic', '$aws/things/plug-1/shadow/update', '--message', '{"state":{"reported":{"on":true}}}')
  expect(published.code, published.stderr).toBe(0)
  const [code] = (await exited) as [number | null]
  expect(code, subscriber.stderr()).toBe(0)
  const accepted = JSON.parse(await subscriber.waitForLine(() => true)) as { topic: string; payload: string }
  expect(JSON.parse(accepted.payload)).toMatchObject({ state: { reported: { on: true } }, version: 1 })
  const shadow = await thingbench('shadow', 'get', '--thing', 'plug-1', '--json')
  expect(JSON.parse(shadow.stdout)).toMatchObject({ state: { reported: { on: true } }, version: 1 })
})

it("as a thing, another thing's topics are refused with the policy's reason", async () => {
  const publish = await thingbench('mqtt', 'publish', '--as-thing', 'plug-2', '--topic', '$aws/things/plug-1/shadow/update', '--message', '{"state":{"reported":{"on":false}}}')
  expect(publish.code).toBe(1)
  expect(publish.stderr).toBe(
    'thingbench mqtt: MqttPublishError: Not sent to $aws/things/plug-1/shadow/update: the policy does not allow publishing to $aws/things/plug-1/shadow/update\n'
  )
  const subscribeRefused = await thingbench('mqtt', 'subscribe', '--as-thing', 'plug-2', '--topic', '$aws/things/plug-1/shadow/update/delta')
  expect(subscribeRefused.code).toBe(1)
  expect(subscribeRefused.stderr).toBe(
    'thingbench mqtt: MqttSubscribeError: Not subscribed to $aws/things/plug-1/shadow/update/delta: the policy does not allow subscribing to $aws/things/plug-1/shadow/update/delta\n'
  )
  const shadow = await thingbench('shadow', 'get', '--thing', 'plug-1', '--json')
  expect(JSON.parse(shadow.stdout)).toMatchObject({ state: { reported: { on: true } }, version: 1 })
})

it('wrong flags are refused with exit 2 before anything connects', async () => {
  // A payload over AWS IoT's 128 KB, from a file (one argument that long is over Linux's own limit).
  const oversized = join(home, 'oversized.txt')
  await writeFile(oversized, 'x'.repeat(128 * 1024 + 1))
  const refusals: Array<[string[], RegExp]> = [
    [['publish', '--topic', 'a/+', '--message', 'x'], /--topic "a\/\+" has a wildcard/],
    [['publish', '--topic', 'a/b'], /mqtt publish needs --message TEXT/],
    [['publish', '--topic', 'a/b', '--message', 'x', '--qos', '2'], /--qos must be 0 or 1 \(AWS IoT does not support QoS 2\)/],
    [['publish', '--topic', 'a/b', '--message', `@${oversized}`], /--message is 131073 bytes; AWS IoT accepts at most 131072 bytes/],
    [['subscribe', '--topic', 'a/#', '--count', '0'], /--count takes how many messages/],
    [['subscribe'], /mqtt subscribe needs --topic FILTER/],
    [['listen', '--topic', 'a'], /mqtt needs publish or subscribe, got "listen"/]
  ]
  for (const [args, message] of refusals) {
    const result = await thingbench('mqtt', ...args)
    expect(result.code, args.join(' ').slice(0, 80)).toBe(2)
    expect(result.stderr).toMatch(message)
  }
})
