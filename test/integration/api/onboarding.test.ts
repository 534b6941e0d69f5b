import { DescribeThingCommand, ListCertificatesCommand, ListThingPrincipalsCommand, ListThingsCommand } from '@aws-sdk/client-iot'
import { afterEach, describe, expect, it } from 'vitest'
import type { OnboardingProgress } from '../../../electron/contract'
import { startTestApi, type TestApi } from '../../support/apiBackend'
import { expressLinkBench, type ExpressLinkBench } from '../serial/expresslinkSupport'
import { benchWifi } from '../../devices/expresslink/config'
import { rejectionOf } from '../../support/refusal'

// onboarding.expressLink through the contract: a simulated ExpressLink module on a real pty, the
// in-process back end against its Local IoT Core, the port taken from the app's own SerialPorts.

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** The back end, and a module on a pty with its Wi-Fi set whose host end nobody holds. */
async function world(): Promise<{ t: TestApi; bench: ExpressLinkBench; progress: OnboardingProgress[] }> {
  const t = await startTestApi()
  cleanups.push(() => t.close())
  const bench = await expressLinkBench(cleanups)
  await bench.driver.configure(benchWifi)
  bench.driver.detach()
  await new Promise<void>((resolve) => bench.host.close(() => resolve()))
  const progress: OnboardingProgress[] = []
  t.api.on('onboarding.progress', (p) => void progress.push(p))
  return { t, bench, progress }
}

async function accountContents(t: TestApi): Promise<{ things: string[]; certificates: string[] }> {
  const iot = await t.session.iotClient({ kind: 'local' })
  const things = (await iot.send(new ListThingsCommand({}))).things?.map((thing) => thing.thingName ?? '') ?? []
  const certificates = (await iot.send(new ListCertificatesCommand({}))).certificates?.map((c) => `${c.certificateId}:${c.status}`) ?? []
  return { things, certificates }
}

describe('onboarding.expressLink through the contract', () => {
  it('onboards the module on the port: its thing and certificate exist in the Local IoT Core, progress arrives step by step in order, and the port is free again', async () => {
    const { t, bench, progress } = await world()
    const result = await t.api.call('onboarding.expressLink', { portPath: bench.pair.hostPath })

    const iot = await t.session.iotClient({ kind: 'local' })
    expect((await iot.send(new DescribeThingCommand({ thingName: result.thingName }))).thingName).toBe(result.thingName)
    expect((await iot.send(new ListThingPrincipalsCommand({ thingName: result.thingName }))).principals).toEqual([result.certificateArn])
    expect((await accountContents(t)).certificates).toEqual([`${result.certificateId}:ACTIVE`])
    const local = await t.session.localIotCore()
    expect(result.endpoint).toBe(`${local.mqttHost}:${local.mqttPort}`)

    const steps = progress.flatMap((p) => (p.phase === 'step' ? [`${p.step}:${p.status}`] : []))
    expect(steps).toEqual([
      'identify:started', 'identify:done', 'readCertificate:started', 'readCertificate:done', 'registerCertificate:started', 'registerCertificate:done',
      'createThing:started', 'createThing:done', 'attachThing:started', 'attachThing:done', 'createPolicy:started', 'createPolicy:done',
      'attachPolicy:started', 'attachPolicy:done', 'addToGroup:started', 'addToGroup:skipped', 'setEndpoint:started', 'setEndpoint:done',
      'setWifi:started', 'setWifi:skipped', 'connect:started', 'connect:done', 'verifyShadow:started', 'verifyShadow:done'
    ])
    expect(progress.at(-1)).toEqual({ runId: result.runId, phase: 'finished', outcome: 'onboarded' })
    expect(progress.every((p) => p.runId === result.runId)).toBe(true)

    // The flow let go of the port: the serial monitor can open it now.
    const opened = await t.api.call('serial.open', { path: bench.pair.hostPath, baudRate: 115_200 })
    expect(opened.heldBy).toBe('serial monitor')
  }, 90_000)

  it('a thing group that does not exist fails at addToGroup with AWS error name and reason, and what the run made is undone', async () => {
    const { t, bench, progress } = await world()
    const failure = (await rejectionOf(t.api.call('onboarding.expressLink', { portPath: bench.pair.hostPath, thingGroup: 'no-such-group' }))) as Error & { errorName?: string }
    expect(failure.errorName).toBe('ResourceNotFoundException')
    expect(failure.message).toMatch(/^ExpressLink onboarding failed at step addToGroup \(ResourceNotFoundException\): .+\. everything this run created was undone$/)
    expect(await accountContents(t)).toEqual({ things: [], certificates: [] })
    expect(progress.at(-1)).toMatchObject({ phase: 'finished', outcome: 'rolledBack' })
  }, 60_000)

  it('a port the serial monitor holds is refused with PortHeld naming the holder, and nothing is created in the account', async () => {
    const { t, bench, progress } = await world()
    await t.api.call('serial.open', { path: bench.pair.hostPath, baudRate: 115_200 })
    const failure = (await rejectionOf(t.api.call('onboarding.expressLink', { portPath: bench.pair.hostPath }))) as Error & { errorName?: string }
    expect(failure.errorName).toBe('PortHeld')
    expect(failure.message).toContain(`${bench.pair.hostPath} is held by serial monitor`)
    expect(progress).toEqual([])
    expect(await accountContents(t)).toEqual({ things: [], certificates: [] })
  }, 60_000)

  it('a Wi-Fi SSID longer than the module takes, or a passphrase with a line break, is refused with InvalidArguments naming the field: no step runs and nothing is created', async () => {
    const { t, bench, progress } = await world()
    const tooLong = (await rejectionOf(t.api.call('onboarding.expressLink', { portPath: bench.pair.hostPath, wifi: { ssid: 'x'.repeat(33), passphrase: 'pw' } }))) as Error & { errorName?: string }
    expect(tooLong.errorName).toBe('InvalidArguments')
    expect(tooLong.message).toContain('wifi.ssid: at most 32 characters')
    const lineBreak = (await rejectionOf(t.api.call('onboarding.expressLink', { portPath: bench.pair.hostPath, wifi: { ssid: 'bench', passphrase: 'pw\nAT+FACTORY_RESET' } }))) as Error & { errorName?: string }
    expect(lineBreak.message).toContain('wifi.passphrase: no control characters')
    expect(progress).toEqual([])
    expect(await accountContents(t)).toEqual({ things: [], certificates: [] })
  }, 60_000)
})
