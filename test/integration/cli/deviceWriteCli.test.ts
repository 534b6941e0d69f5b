import { createPrivateKey } from 'node:crypto'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { LocalIotCoreInfo } from '../../../electron/sandbox'
import { thermostatOnPort, type RunningThermostat } from '../../devices/thermostat/onPort'
import { boardOnPty, type BoardOnPty } from '../../support/boardOnPty'
import { dataPlaneClientFor } from '../../support/dataPlane'
import { until } from '../../support/until'
import { makeDeviceCertificate, pemBodyLines } from '../provisioning/support/deviceCertificate'
import { cliEnv, runThingbench, startThingbench, type CliResult, type RunningThingbench } from '../../support/thingbenchProcess'

// `thingbench device write` end to end: the real command as a child process, the thermostat
// simulator (a JSON-lines board) on a real socat pty, things provisioned by `thingbench provision`
// in the home's Local IoT Core (`thingbench sandbox`). What a technician would notice: the board
// connects and reports to its shadow, or it is left without an identity and the command says why.

let home: string
let sandbox: RunningThingbench
let info: LocalIotCoreInfo
const unplug: (() => Promise<void>)[] = []

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'tb-cli-device-write-'))
  sandbox = await startThingbench(['sandbox'], cliEnv(home))
  info = JSON.parse(sandbox.line) as LocalIotCoreInfo
}, 60_000)

afterEach(async () => {
  for (const close of unplug.splice(0).reverse()) await close()
})

afterAll(async () => {
  sandbox.child.kill('SIGTERM')
  if (sandbox.child.exitCode === null) await once(sandbox.child, 'close')
  await rm(home, { recursive: true, force: true })
})

const thingbench = (...args: string[]): Promise<CliResult> => runThingbench(args, cliEnv(home))

interface Board {
  plugged: BoardOnPty<RunningThermostat>
  port: string
  /** The board's flash: identity.json, certificate.pem and private.key once it stored an identity. */
  flash: string
  /** Every line the board received. */
  heard: string[]
}

async function plugBoard(name: string): Promise<Board> {
  const flash = join(home, `${name}-flash`)
  const heard: string[] = []
  const plugged = await boardOnPty(name, (devicePath) => thermostatOnPort(devicePath, { connect: true, reportEveryMs: 60_000, stateDir: flash, onLine: (direction, text) => direction === 'in' && heard.push(text) }), home)
  unplug.push(() => plugged.close())
  return { plugged, port: plugged.pair.hostPath, flash, heard }
}

async function provision(thing: string, ...args: string[]): Promise<string> {
  const result = await thingbench('provision', '--thing', thing, '--json', ...args)
  expect(result.code, result.stderr).toBe(0)
  return (JSON.parse(result.stdout) as { certificateId: string }).certificateId
}

/** The key as the board stored it (PKCS#8) and as the vault may hold it (SEC1 for EC): any of these lines printed is a leak. */
function keyLines(boardKeyPem: string): string[] {
  const key = createPrivateKey(boardKeyPem)
  const sec1 = key.asymmetricKeyType === 'ec' ? key.export({ type: 'sec1', format: 'pem' }).toString() : ''
  return [...pemBodyLines(boardKeyPem), ...pemBodyLines(sec1)].filter((line) => line.length >= 16)
}

function expectNoKey(result: CliResult, lines: string[], what: string): void {
  for (const [name, text] of [['stdout', result.stdout], ['stderr', result.stderr]] as const) {
    expect(text, `${what}'s ${name} carries a PEM private key`).not.toMatch(/PRIVATE KEY-----/)
    for (const line of lines) expect(text.includes(line), `${what}'s ${name} carries a line of the private key`).toBe(false)
  }
}

describe('thingbench device write', () => {
  it('writes the thing’s identity to the board, each step on stderr and a summary on stdout; the board connects and reports to its shadow; again with --json; the key is printed nowhere', async () => {
    const board = await plugBoard('kiln')
    const certificateId = await provision('kiln-7')

    const written = await thingbench('device', 'write', '--thing', 'kiln-7', '--port', board.port, '--send-private-key')
    expect(written.code, written.stderr).toBe(0)
    const steps = written.stderr.split('\n').filter((l) => /^ {2}[✓✗] /.test(l)).map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))
    expect(steps).toEqual(['✓ hello', '✓ endpoint', '✓ thingName', '✓ certificate', '✓ privateKey', '✓ rootCa', '✓ commit', '✓ connect'])
    expect(written.stderr).toMatch(/✓ privateKey {2}\d+ characters, not shown/)
    expect(written.stdout).toContain(`Wrote kiln-7's identity to the board on ${board.port}; it connected to Local IoT Core`)
    expect(written.stdout).toMatch(new RegExp(`certificate\\s+${certificateId}`))
    expect(written.stdout).toMatch(new RegExp(`endpoint\\s+${info.mqttHost}:${info.mqttPort}`))
    expect(written.stdout).toMatch(/device\s+ThingBench thermostat simulator \S+ \(serial TB-THERMO-0001\)/)

    // The board's own connection works: its first report is in the thing's shadow.
    const data = dataPlaneClientFor(info)
    try {
      const reported = await until(async () => {
        const answer = await data.send(new GetThingShadowCommand({ thingName: 'kiln-7' })).catch(() => undefined)
        const shadow = answer && (JSON.parse(new TextDecoder().decode(answer.payload)) as { state: { reported?: Record<string, unknown> } })
        return typeof shadow?.state.reported?.['temperature'] === 'number' ? shadow.state.reported : undefined
      }, "the board's report in kiln-7's shadow")
      expect(reported).toMatchObject({ hvac_mode: expect.any(String) })
    } finally {
      data.destroy()
    }
    expect(JSON.parse(readFileSync(join(board.flash, 'identity.json'), 'utf8'))).toEqual({ endpoint: `${info.mqttHost}:${info.mqttPort}`, thingName: 'kiln-7' })

    // Once more, as a script would: one JSON line on stdout, the steps as JSON lines on stderr.
    const again = await thingbench('device', 'write', '--thing', 'kiln-7', '--port', board.port, '--send-private-key', '--json')
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({
      portPath: board.port,
      thingName: 'kiln-7',
      certificateId,
      endpoint: `${info.mqttHost}:${info.mqttPort}`,
      device: { serial: 'TB-THERMO-0001' },
      connection: { state: 'connected' },
      via: { kind: 'local' }
    })
    const events = again.stderr.trim().split('\n').map((l) => JSON.parse(l) as { step: string; status: string })
    expect(events.at(-1)).toMatchObject({ step: 'connect', status: 'done' })

    const lines = keyLines(readFileSync(join(board.flash, 'private.key'), 'utf8'))
    expect(lines.length).toBeGreaterThan(0)
    expectNoKey(written, lines, 'device write')
    expectNoKey(again, lines, 'device write --json')
  }, 90_000)

  it('without --send-private-key it refuses, saying what would happen and which flag to give; the board is not even greeted and keeps no identity; with it, a missing port is named', async () => {
    const board = await plugBoard('unsure')
    await provision('unsure-1')

    const refused = await thingbench('device', 'write', '--thing', 'unsure-1', '--port', board.port)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(`sends thing unsure-1's private key out of this machine's vault`)
    expect(refused.stderr).toContain(`to the board on ${board.port}`)
    expect(refused.stderr).toContain('Give --send-private-key to do so')
    expect(refused.stdout).toBe('')
    expect(board.heard).toEqual([])
    expect(existsSync(join(board.flash, 'identity.json'))).toBe(false)

    // With the flag, a port that is not there is named as such (a board unplugged, a typo).
    const gone = join(home, 'unplugged-host')
    const missing = await thingbench('device', 'write', '--thing', 'unsure-1', '--port', gone, '--send-private-key', '--json')
    expect(missing.code).toBe(1)
    expect(JSON.parse(missing.stdout)).toMatchObject({ failed: { errorName: 'PortNotFound' } })
    expect(missing.stderr).toContain(`thingbench device write: PortNotFound: ${gone} does not exist`)
  }, 60_000)

  it('an unknown thing, a thing whose key is not in the vault, and a thing with two keys are refused naming the thing, before the board is touched', async () => {
    const board = await plugBoard('refused')
    const write = (thing: string, ...args: string[]) => thingbench('device', 'write', '--thing', thing, '--port', board.port, '--send-private-key', ...args)

    const unknown = await write('no-such-kiln')
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/^thingbench device write: ResourceNotFoundException: Cannot list the certificates of thing no-such-kiln: .+ Nothing was written to the device\.\n$/m)

    // A factory certificate registered without its key: the key stays on the device it was made for.
    const certificateFile = join(home, 'factory.pem')
    await writeFile(certificateFile, await makeDeviceCertificate({ commonName: 'factory-kiln' }))
    const factoryCertificate = await provision('factory-kiln', '--cert', certificateFile)
    const noKey = await write('factory-kiln', '--json')
    expect(noKey.code).toBe(1)
    expect(JSON.parse(noKey.stdout)).toEqual({ failed: { errorName: 'KeyNotInVault', message: expect.stringContaining(`certificate of thing factory-kiln (${factoryCertificate})`) } })
    expect(noKey.stderr).toMatch(/thingbench device write: KeyNotInVault: The vault on this machine holds no private key for the certificate of thing factory-kiln .+ Nothing was written to the device\./)
    // Naming the certificate itself reaches core's own check, which says the same in its words.
    const named = await write('factory-kiln', '--certificate', factoryCertificate)
    expect(named.code).toBe(1)
    expect(named.stderr).toContain(`thingbench device write: KeyNotInVault: The vault on this machine holds no private key for certificate ${factoryCertificate}`)

    const first = await provision('twin-kiln')
    const second = await provision('twin-kiln', '--add-certificate')
    const twice = await write('twin-kiln')
    expect(twice.code).toBe(1)
    expect(twice.stderr).toContain('thingbench device write: SeveralCertificates: Thing twin-kiln has 2 certificates whose private key the vault holds (')
    expect(twice.stderr).toContain(first)
    expect(twice.stderr).toContain(second)
    expect(twice.stderr).toContain('--certificate ID')

    expect(board.heard).toEqual([])
    expect(existsSync(join(board.flash, 'identity.json'))).toBe(false)
  }, 90_000)

  it('--wifi-ssid with the passphrase in THINGBENCH_WIFI_PASSPHRASE gives the board the bench network with its identity; the passphrase is printed nowhere', async () => {
    const board = await plugBoard('board-wifi')
    await provision('cli-write-wifi')
    const passphrase = 'bench-passphrase-11'
    const result = await runThingbench(
      ['device', 'write', '--thing', 'cli-write-wifi', '--port', board.port, '--send-private-key', '--wifi-ssid', 'bench-wifi'],
      cliEnv(home, { THINGBENCH_WIFI_PASSPHRASE: passphrase })
    )
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/✓ wifiSsid\s+bench-wifi/)
    expect(result.stderr).toMatch(/✓ wifiPassphrase\s+19 characters, not shown/)
    expect(result.stdout).toMatch(/Wi-Fi\s+bench-wifi/)
    expect(result.stdout + result.stderr).not.toContain(passphrase)
    expect(board.heard.some((line) => line.includes('"item":"wifiPassphrase"') && line.includes(passphrase))).toBe(true)
    expect(JSON.parse(readFileSync(join(board.flash, 'identity.json'), 'utf8'))).toMatchObject({ wifiSsid: 'bench-wifi' })
  }, 60_000)
})
