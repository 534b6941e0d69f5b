import { execFile, execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { GetThingConnectivityDataCommand } from '@aws-sdk/client-iot'
import type { MqttClient } from 'mqtt'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { findAwsClis, sandboxCliEnv } from '../../support/awsClis'
import { closed, connectDevice, deviceOptions, provisionDevice, type Device } from '../../support/mqttDevices'
import { rejectionOf } from '../../support/refusal'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'

// GetThingConnectivityData against the Local IoT Core: a thing's live connection state as AWS's
// fleet indexing keeps it, read with the AWS SDK and with each AWS CLI here that has the command,
// while a real MQTT client connects, is replaced by the same client id, and leaves.

const run = promisify(execFile)
// Older CLIs (Debian's v2) predate the command; only those that know it are asked.
const clisWithCommand = findAwsClis().filter((cli) => {
  try {
    execFileSync(cli.path, ['iot', 'get-thing-connectivity-data', 'help'], { stdio: 'ignore', env: { ...process.env, PAGER: 'cat', AWS_PAGER: '' } })
    return true
  } catch {
    return false
  }
})

let sandbox: TestSandbox
let lamp: Device
let home: string
const open: MqttClient[] = []

beforeAll(async () => {
  sandbox = await startTestSandbox()
  lamp = await provisionDevice(sandbox.core, sandbox.iot, 'lamp-conn')
  await provisionDevice(sandbox.core, sandbox.iot, 'lamp-never')
  home = await mkdtemp(join(tmpdir(), 'tb-connectivity-cli-'))
}, 60_000)
afterEach(() => {
  for (const client of open.splice(0)) client.end(true)
})
afterAll(async () => {
  await sandbox.stop()
  await rm(home, { recursive: true, force: true })
})

const connectivity = (thingName: string) => sandbox.iot.send(new GetThingConnectivityDataCommand({ thingName }))

async function connectLamp(): Promise<MqttClient> {
  const client = await connectDevice(deviceOptions(sandbox.core, lamp, { clientId: 'lamp-conn', keepalive: 45 }))
  open.push(client)
  return client
}

describe('GetThingConnectivityData', () => {
  it('a thing that never connected is not connected, with nothing else; an unknown thing is ResourceNotFoundException', async () => {
    const never = await connectivity('lamp-never')
    expect(never).toMatchObject({ thingName: 'lamp-never', connected: false })
    expect(never.timestamp).toBeUndefined()
    const failure = await rejectionOf(connectivity('no-such-lamp'))
    expect(failure.name).toBe('ResourceNotFoundException')
    expect(failure.message).toContain('Thing no-such-lamp cannot be found')
  })

  it('follows a connection: connected since it connected, still connected after the same client id replaced it, and disconnected with the reason once it leaves', async () => {
    const before = Date.now()
    const first = await connectLamp()
    const up = await connectivity('lamp-conn')
    expect(up).toMatchObject({ thingName: 'lamp-conn', connected: true, disconnectReason: 'NONE', clientId: 'lamp-conn', keepAliveDuration: 45, cleanSession: true })
    expect(up.timestamp!.getTime()).toBeGreaterThanOrEqual(before - 1_000)

    // A second connection with the same client id pushes the first out (DUPLICATE_CLIENTID): the thing is still connected.
    const gone = closed(first)
    const second = await connectLamp()
    await gone
    expect(await connectivity('lamp-conn')).toMatchObject({ connected: true, disconnectReason: 'NONE' })

    await second.endAsync()
    await expect.poll(async () => (await connectivity('lamp-conn')).connected).toBe(false)
    expect(await connectivity('lamp-conn')).toMatchObject({ connected: false, disconnectReason: 'CLIENT_INITIATED_DISCONNECT' })
  })

  for (const cli of clisWithCommand)
    it(`${cli.label}: aws iot get-thing-connectivity-data --endpoint-url reads the same state`, async () => {
      await connectLamp()
      const { stdout } = await run(cli.path, ['iot', 'get-thing-connectivity-data', '--thing-name', 'lamp-conn', '--endpoint-url', sandbox.core.controlPlaneUrl, '--output', 'json'], {
        env: sandboxCliEnv(home, sandbox.core)
      })
      // Its model may be older than the session fields (clientId, keepAliveDuration): those it does not print.
      expect(JSON.parse(stdout)).toMatchObject({ thingName: 'lamp-conn', connected: true, disconnectReason: 'NONE', timestamp: expect.anything() })
    })
})
