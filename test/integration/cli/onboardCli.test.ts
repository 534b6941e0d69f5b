import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CreateThingGroupCommand,
  IoTClient,
  ListAttachedPoliciesCommand,
  ListCertificatesCommand,
  ListPoliciesCommand,
  ListThingGroupsForThingCommand,
  ListThingPrincipalsCommand,
  ListThingsCommand
} from '@aws-sdk/client-iot'
import { GetThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LocalIotCoreInfo } from '../../../electron/sandbox'
import { benchWifi, presetConfig } from '../../devices/expresslink/config'
import { expressLinkOnPort, type RunningModule } from '../../devices/expresslink/onPort'
import { dataPlaneClientFor } from '../../support/dataPlane'
import { openPtyPair, type PtyPair } from '../../support/ptyPair'
import { cliEnv, runThingbench, startThingbench, type CliResult, type RunningThingbench } from '../../support/thingbenchProcess'

// `thingbench onboard` end to end: the real command as a child process, the simulated ExpressLink
// module on a real socat pty, the home's Local IoT Core (`thingbench sandbox`), checked with the
// real AWS SDK: what a technician would find in the account and on the data plane afterwards.

let home: string
let sandbox: RunningThingbench
let info: LocalIotCoreInfo
let iot: IoTClient
let pair: PtyPair
let running: RunningModule

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tb-cli-onboard-'))
  sandbox = await startThingbench(['sandbox'], cliEnv(home))
  info = JSON.parse(sandbox.line) as LocalIotCoreInfo
  iot = new IoTClient({ region: info.region, endpoint: info.controlPlaneUrl, credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey } })
  pair = await openPtyPair('expresslink', home)
  // The module's Wi-Fi is set, as a technician may set it before onboarding (else --wifi-ssid sets it).
  const stateDir = join(home, 'module')
  presetConfig(stateDir, benchWifi)
  running = await expressLinkOnPort(pair.devicePath, { stateDir, backoffMs: 0 })
})

afterEach(async () => {
  await running.close()
  await pair.close()
  iot.destroy()
  sandbox.child.kill('SIGTERM')
  if (sandbox.child.exitCode === null) await once(sandbox.child, 'close')
  await rm(home, { recursive: true, force: true })
})

const onboard = (...args: string[]): Promise<CliResult> => runThingbench(['onboard', '--port', pair.hostPath, ...args], cliEnv(home))

async function account(): Promise<{ things: string[]; certificates: string[]; policies: string[] }> {
  return {
    things: (await iot.send(new ListThingsCommand({}))).things?.map((t) => t.thingName ?? '') ?? [],
    certificates: (await iot.send(new ListCertificatesCommand({}))).certificates?.map((c) => `${c.certificateId}:${c.status}`) ?? [],
    policies: (await iot.send(new ListPoliciesCommand({}))).policies?.map((p) => p.policyName ?? '') ?? []
  }
}

describe('thingbench onboard', () => {
  it('onboards the module on the port: each step printed as it ends, a summary, the thing in its group with the module certificate, and the module’s shadow update on the data plane; again with --json, everything reused', async () => {
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-1' }))
    const thingName = running.module.thingName

    const first = await onboard('--group', 'line-1')
    expect(first.stderr).not.toMatch(/✗/)
    expect(first.code, first.stderr).toBe(0)
    const stepLines = first.stderr.split('\n').filter((l) => /^ {2}[✓–] /.test(l)).map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))
    expect(stepLines).toEqual([
      '✓ identify', '✓ readCertificate', '✓ registerCertificate', '✓ createThing', '✓ attachThing', '✓ createPolicy',
      '✓ attachPolicy', '✓ addToGroup', '✓ setEndpoint', '– setWifi', '✓ connect', '✓ verifyShadow'
    ])
    expect(first.stdout).toContain(`Onboarded ${thingName} on Local IoT Core`)
    expect(first.stdout).toMatch(new RegExp(`endpoint\\s+${info.mqttHost}:${info.mqttPort}`))
    expect(first.stdout).toMatch(/policy\s+ThingBench-ExpressLink/)
    expect(first.stdout).toMatch(/group\s+line-1/)
    expect(first.stdout).toMatch(/time\s+\d+ ms, \d+ ms \(\d+%\) waiting on the module/)

    const after = await account()
    expect(after.things).toEqual([thingName])
    expect(after.certificates).toHaveLength(1)
    const certificateId = after.certificates[0].split(':')[0]
    expect(after.certificates[0]).toBe(`${certificateId}:ACTIVE`)
    expect(first.stdout).toMatch(new RegExp(`certificate\\s+${certificateId}`))
    const principals = (await iot.send(new ListThingPrincipalsCommand({ thingName }))).principals ?? []
    expect(principals).toHaveLength(1)
    expect((await iot.send(new ListAttachedPoliciesCommand({ target: principals[0] }))).policies?.map((p) => p.policyName)).toEqual(['ThingBench-ExpressLink'])
    expect((await iot.send(new ListThingGroupsForThingCommand({ thingName }))).thingGroups?.map((g) => g.groupName)).toEqual(['line-1'])
    const data = dataPlaneClientFor(info)
    try {
      const shadow = JSON.parse(new TextDecoder().decode((await data.send(new GetThingShadowCommand({ thingName }))).payload)) as { state: { reported: { thingbench: { onboardedAt: string } } } }
      expect(Date.parse(shadow.state.reported.thingbench.onboardedAt)).toBeGreaterThan(Date.now() - 60_000)
    } finally {
      data.destroy()
    }

    // The next run finds it all in place: nothing new in the account, and the answer on one JSON line.
    const again = await onboard('--group', 'line-1', '--json')
    expect(again.code, again.stderr).toBe(0)
    const result = JSON.parse(again.stdout) as { thingName: string; certificateId: string; reused: string[]; moduleMs: number; totalMs: number; connection: { kind: string } }
    expect(result).toMatchObject({ thingName, certificateId, connection: { kind: 'local' } })
    expect(result.reused).toEqual(expect.arrayContaining([`certificate ${certificateId}`, `thing ${thingName}`, 'policy ThingBench-ExpressLink', 'membership of line-1', 'module connection']))
    expect(result.moduleMs).toBeGreaterThan(0)
    expect(result.moduleMs).toBeLessThanOrEqual(result.totalMs)
    // --json: each progress event is a JSON line on stderr.
    const events = again.stderr.trim().split('\n').map((l) => JSON.parse(l) as { phase: string })
    expect(events.at(-1)).toMatchObject({ phase: 'finished', outcome: 'onboarded' })
    expect(await account()).toEqual(after)
  }, 90_000)

  it('a group that does not exist fails at addToGroup with AWS’s error name, exit 1, after undoing the certificate, thing and policy it had made; a bad --policy is refused before anything', async () => {
    const refused = await onboard('--policy', 'not a policy!')
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/--policy: Policy name/)

    const failed = await onboard('--group', 'no-such-line', '--json')
    expect(failed.code).toBe(1)
    expect(failed.stderr).toMatch(/thingbench onboard: ResourceNotFoundException: .+ \(at step addToGroup\)\. Everything this run created was undone\./)
    const answer = JSON.parse(failed.stdout) as { failed: { step: string; errorName: string; undone: boolean; leftBehind: string[] } }
    expect(answer.failed).toMatchObject({ step: 'addToGroup', errorName: 'ResourceNotFoundException', undone: true, leftBehind: [] })
    const undone = failed.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { phase: string; status?: string; action?: string })
      .filter((p) => p.phase === 'undo' && p.status === 'done')
      .map((p) => p.action!.split(' ')[0])
    expect(undone).toEqual(expect.arrayContaining(['DetachPolicy', 'DeletePolicy', 'DetachThingPrincipal', 'DeleteThing', 'DeleteCertificate']))
    expect(await account()).toEqual({ things: [], certificates: [], policies: [] })
  }, 90_000)

  it('--wifi-ssid with the passphrase in THINGBENCH_WIFI_PASSPHRASE gives a module without a network the bench Wi-Fi, then it connects; the passphrase is printed nowhere, and a passphrase without an SSID is refused', async () => {
    await running.close()
    running = await expressLinkOnPort(pair.devicePath, { stateDir: join(home, 'module-without-wifi'), backoffMs: 0 })
    const passphrase = 'bench-passphrase-7'

    const refused = await runThingbench(['onboard', '--port', pair.hostPath], cliEnv(home, { THINGBENCH_WIFI_PASSPHRASE: passphrase }))
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('THINGBENCH_WIFI_PASSPHRASE is set but --wifi-ssid is not')
    expect(await account()).toEqual({ things: [], certificates: [], policies: [] })

    const done = await runThingbench(['onboard', '--port', pair.hostPath, '--wifi-ssid', 'bench-wifi'], cliEnv(home, { THINGBENCH_WIFI_PASSPHRASE: passphrase }))
    expect(done.code, done.stderr).toBe(0)
    expect(done.stderr).toMatch(/✓ setWifi\s+SSID bench-wifi, passphrase of 18 characters \(not shown\)/)
    expect(done.stdout).toMatch(/Wi-Fi\s+bench-wifi/)
    expect(done.stdout + done.stderr).not.toContain(passphrase)
    expect((await account()).things).toEqual([running.module.thingName])
  }, 90_000)
})
