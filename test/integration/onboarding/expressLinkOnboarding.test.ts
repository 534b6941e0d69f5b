import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreatePolicyCommand, DescribeThingCommand, ListAttachedPoliciesCommand, ListCertificatesCommand, ListPoliciesCommand, ListThingPrincipalsCommand, ListThingsCommand, type IoTClient } from '@aws-sdk/client-iot'
import { GetThingShadowCommand, IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import { afterEach, describe, expect, it } from 'vitest'
import { onboardExpressLink, OnboardingError, type ExpressLinkOnboardingContext, type OnboardingProgress } from '../../../electron/core/onboarding'
import { Journal } from '../../../electron/core/provisioning'
import { osKeychain, Vault } from '../../../electron/core/vault'
import { caOf } from '../../support/mqttDevices'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'
import { expressLinkBench, type ExpressLinkBench } from '../serial/expresslinkSupport'
import { benchWifi } from '../../devices/expresslink/config'
import { rejectionOf } from '../../support/refusal'

// The one-flow ExpressLink onboarding over a real pty with the simulated module, against a real Local
// IoT Core through the real AWS SDK: what a technician sees in AWS afterwards, on success and on failure.

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function world(options: { benchWifiSet?: boolean } = {}): Promise<{ sandbox: TestSandbox; bench: ExpressLinkBench; ctx: ExpressLinkOnboardingContext; progress: OnboardingProgress[]; endpoint: string; rootCaPem: string }> {
  const sandbox = await startTestSandbox()
  cleanups.push(() => sandbox.stop())
  const bench = await expressLinkBench(cleanups)
  if (options.benchWifiSet ?? true) await bench.driver.configure(benchWifi)
  const home = await mkdtemp(join(tmpdir(), 'thingbench-onboarding-'))
  cleanups.push(() => rm(home, { recursive: true, force: true }))
  const vault = await Vault.open(join(home, 'vault.json'), osKeychain())
  const journal = await Journal.open(join(home, 'journal'))
  const progress: OnboardingProgress[] = []
  const ctx: ExpressLinkOnboardingContext = { iot: sandbox.iot, vault, journal, connection: { kind: 'local' }, driver: bench.driver, onProgress: (p) => void progress.push(p) }
  return { sandbox, bench, ctx, progress, endpoint: `${sandbox.core.mqttHost}:${sandbox.core.mqttPort}`, rootCaPem: caOf(sandbox.core), }
}

async function accountContents(sandbox: TestSandbox): Promise<{ things: string[]; certificates: string[] }> {
  const things = (await sandbox.iot.send(new ListThingsCommand({}))).things?.map((t) => t.thingName ?? '') ?? []
  const certificates = (await sandbox.iot.send(new ListCertificatesCommand({}))).certificates?.map((c) => `${c.certificateId}:${c.status}`) ?? []
  return { things, certificates }
}

describe('ExpressLink onboarding in one flow', () => {
  it('registers the module certificate without a CA, makes its thing, attaches the least-privilege policy, connects the module and sees its shadow update on the data plane; a second run reuses it all', async () => {
    const { sandbox, ctx, progress, endpoint, rootCaPem } = await world()
    const result = await onboardExpressLink({ endpoint, rootCaPem }, ctx)

    expect(result.reused).toEqual([])
    const thing = await sandbox.iot.send(new DescribeThingCommand({ thingName: result.thingName }))
    expect(thing.thingName).toBe(result.thingName)
    expect((await sandbox.iot.send(new ListThingPrincipalsCommand({ thingName: result.thingName }))).principals).toEqual([result.certificateArn])
    expect((await accountContents(sandbox)).certificates).toEqual([`${result.certificateId}:ACTIVE`])
    expect((await sandbox.iot.send(new ListAttachedPoliciesCommand({ target: result.certificateArn }))).policies?.map((p) => p.policyName)).toEqual([result.policyName])
    expect(await ctx.driver.connectionStatus()).toEqual({ connected: true, onboarded: true })
    const data = new IoTDataPlaneClient({
      region: sandbox.core.region,
      endpoint: sandbox.core.dataPlaneUrl,
      credentials: { accessKeyId: sandbox.core.accessKeyId, secretAccessKey: sandbox.core.secretAccessKey },
      maxAttempts: 1
    })
    cleanups.push(() => data.destroy())
    const seen = JSON.parse(new TextDecoder().decode((await data.send(new GetThingShadowCommand({ thingName: result.thingName }))).payload)) as { state: { reported: { thingbench: { onboardedAt: string } } } }
    expect(Date.parse(seen.state.reported.thingbench.onboardedAt)).toBeGreaterThan(Date.now() - 60_000)
    const shown = progress.filter((p) => p.phase === 'step' && p.status !== 'started').map((p) => (p.phase === 'step' ? `${p.step}:${p.status}` : ''))
    expect(shown).toEqual([
      'identify:done', 'readCertificate:done', 'registerCertificate:done', 'createThing:done', 'attachThing:done', 'createPolicy:done',
      'attachPolicy:done', 'addToGroup:skipped', 'setEndpoint:done', 'setWifi:skipped', 'connect:done', 'verifyShadow:done'
    ])

    const before = await accountContents(sandbox)
    await ctx.driver.disconnect()
    const again = await onboardExpressLink({ endpoint, rootCaPem }, ctx)
    expect(again.certificateId).toBe(result.certificateId)
    expect(again.reused).toEqual([
      `certificate ${result.certificateId}`, `thing ${result.thingName}`, `attachment of ${result.certificateId} to ${result.thingName}`,
      `policy ${result.policyName}`, `attachment of ${result.policyName}`
    ])
    expect(await accountContents(sandbox)).toEqual(before)
  }, 60_000)

  it('two modules onboarded at once on a fresh account both succeed: the one that loses the race to create the shared policy attaches it as it is', async () => {
    const { sandbox, ctx, endpoint, rootCaPem } = await world()
    const second = await expressLinkBench(cleanups)
    await second.driver.configure(benchWifi)
    // Both runs checked that the policy is missing; their CreatePolicy calls go out together.
    const waiting: (() => void)[] = []
    const racing = Object.create(sandbox.iot) as IoTClient // still an IoTClient, for the SDK's paginators
    racing.send = (async (command: Parameters<IoTClient['send']>[0]) => {
      if (command instanceof CreatePolicyCommand)
        await new Promise<void>((resolve) => {
          waiting.push(resolve)
          if (waiting.length === 2) waiting.forEach((go) => go())
        })
      return sandbox.iot.send(command as never)
    }) as IoTClient['send']
    const [a, b] = await Promise.all([
      onboardExpressLink({ endpoint, rootCaPem }, { ...ctx, iot: racing }),
      onboardExpressLink({ endpoint, rootCaPem }, { ...ctx, iot: racing, driver: second.driver })
    ])
    expect(a.thingName).not.toBe(b.thingName)
    expect([a.reused, b.reused].filter((r) => r.includes(`policy ${a.policyName}`))).toHaveLength(1)
    expect((await sandbox.iot.send(new ListPoliciesCommand({}))).policies?.map((p) => p.policyName)).toEqual([a.policyName])
    for (const result of [a, b]) expect((await sandbox.iot.send(new ListAttachedPoliciesCommand({ target: result.certificateArn }))).policies?.map((p) => p.policyName)).toEqual([a.policyName])
  }, 60_000)

  it('a policy name AWS refuses fails at createPolicy with its reason, and the certificate and thing it made are gone afterwards', async () => {
    const { sandbox, ctx, progress, endpoint, rootCaPem } = await world()
    const failure = (await rejectionOf(onboardExpressLink({ endpoint, rootCaPem, policyName: 'not a policy name!' }, ctx))) as OnboardingError
    expect(failure).toBeInstanceOf(OnboardingError)
    expect(failure.step).toBe('createPolicy')
    expect(failure.message).toMatch(/^ExpressLink onboarding failed at step createPolicy \(\w+Exception\): .+\. everything this run created was undone$/)
    expect(failure.undo.complete).toBe(true)
    expect(await accountContents(sandbox)).toEqual({ things: [], certificates: [] })
    expect(progress.at(-1)).toMatchObject({ phase: 'finished', outcome: 'rolledBack' })
    expect(progress.filter((p) => p.phase === 'undo' && p.status === 'done').map((p) => (p.phase === 'undo' ? p.action.split(' ')[0] : ''))).toEqual([
      'DetachThingPrincipal', 'DeleteThing', 'UpdateCertificate', 'DeleteCertificate'
    ])
  }, 60_000)

  it('the module unplugged mid-flow fails at that step, and nothing the flow made remains in the account', async () => {
    const { sandbox, bench, ctx, endpoint, rootCaPem } = await world()
    const onProgress = ctx.onProgress!
    ctx.onProgress = async (p) => {
      await onProgress(p)
      if (p.phase === 'step' && p.step === 'setEndpoint' && p.status === 'started') await bench.pair.unplug()
    }
    const failure = (await rejectionOf(onboardExpressLink({ endpoint, rootCaPem }, ctx))) as OnboardingError
    expect(failure.step).toBe('setEndpoint')
    expect(failure.message).toMatch(/^ExpressLink onboarding failed at step setEndpoint \(\w+\): /)
    expect(failure.undo.complete).toBe(true)
    const after = await accountContents(sandbox)
    expect(after.things).toEqual([])
    expect(after.certificates).toEqual([])
  }, 60_000)

  it('a connect the module reports refused (its RootCA does not trust the endpoint) fails at connect with the module hint, puts the endpoint back and leaves nothing in the account', async () => {
    const { sandbox, ctx, endpoint } = await world()
    const before = (await ctx.driver.identify()).endpoint
    const failure = (await rejectionOf(onboardExpressLink({ endpoint }, ctx))) as OnboardingError
    expect(failure.step).toBe('connect')
    expect(failure.message).toMatch(/^ExpressLink onboarding failed at step connect \(\w+\): .*hint 4 \(TLS\)/)
    expect(failure.undo.complete).toBe(true)
    expect(await accountContents(sandbox)).toEqual({ things: [], certificates: [] })
    expect((await ctx.driver.identify()).endpoint).toBe(before)
  }, 60_000)

  it('a Wi-Fi module with no network set joins the one given: SSID and passphrase written before connect, the passphrase in no progress event nor in the AT traffic log', async () => {
    const { ctx, progress, endpoint, rootCaPem, bench } = await world({ benchWifiSet: false })
    const traffic: string[] = []
    bench.driver.on('traffic', ({ text }: { text: string }) => traffic.push(text))
    const wifi = { ssid: 'bench-wifi-2', passphrase: 'correct horse battery' }
    const result = await onboardExpressLink({ endpoint, rootCaPem, wifi }, ctx)

    expect(result.wifiSsid).toBe('bench-wifi-2')
    expect(await ctx.driver.connectionStatus()).toEqual({ connected: true, onboarded: true })
    expect(await ctx.driver.read('SSID')).toBe('bench-wifi-2')
    // Passphrase is write-only on the module (ERR13): its persistent config is where it shows.
    expect(JSON.parse(await readFile(join(bench.stateDir, 'config.json'), 'utf8'))).toMatchObject({ SSID: 'bench-wifi-2', Passphrase: 'correct horse battery' })
    const setWifi = progress.find((p) => p.phase === 'step' && p.step === 'setWifi' && p.status === 'done')
    expect(setWifi).toMatchObject({ detail: 'SSID bench-wifi-2, passphrase of 21 characters (not shown)' })
    expect(JSON.stringify(progress)).not.toContain('correct horse')
    expect(traffic).toContain('AT+CONF Passphrase=[not shown]')
    expect(traffic.join('\n')).not.toContain('correct horse')
  }, 60_000)

  it('a failed connect after the Wi-Fi was set puts the module’s SSID back as it was (the passphrase cannot be read back and is said to stay)', async () => {
    const { sandbox, ctx, progress, endpoint } = await world({ benchWifiSet: false })
    // No RootCA for the Local IoT Core: the module's TLS check fails at connect, after setWifi.
    const failure = (await rejectionOf(onboardExpressLink({ endpoint, wifi: { ssid: 'bench-wifi-2', passphrase: 'pw-123456' } }, ctx))) as OnboardingError
    expect(failure.step).toBe('connect')
    expect(progress.filter((p) => p.phase === 'undo' && p.status === 'done').map((p) => (p.phase === 'undo' ? p.action : ''))).toContain('AT+CONF SSID=')
    expect(await ctx.driver.read('SSID')).toBe('')
    expect(await accountContents(sandbox)).toEqual({ things: [], certificates: [] })
  }, 60_000)
})
