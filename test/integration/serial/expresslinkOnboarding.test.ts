import { createServer, type Socket } from 'node:net'
import { AttachPolicyCommand, AttachThingPrincipalCommand, CreatePolicyCommand, CreateThingCommand, DetachPolicyCommand, RegisterCertificateWithoutCACommand } from '@aws-sdk/client-iot'
import { GetThingShadowCommand, IoTDataPlaneClient, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import { afterEach, describe, expect, it } from 'vitest'
import { ExpressLinkCommandError, eventIds } from '../../../electron/core/serial/drivers/expresslink'
import { caOf } from '../../support/mqttDevices'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'
import { expressLinkBench } from './expresslinkSupport'
import { rejectionOf } from '../../support/refusal'

// The research's technician flow (§12.2) end to end against a real Local IoT Core: the module's own
// certificate registered without a CA, the thing named after the module, a least-privilege policy,
// the endpoint set over AT, a real MQTT connection from the module, and a shadow round trip through
// the module's own connection, checked on the sandbox's data plane.

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** What an onboarded module needs and nothing more: its client id, its reserved jobs and shadow topics. */
function modulePolicy(sandbox: TestSandbox, thingName: string, name: string, withJobs: boolean): { policyName: string; policyDocument: string } {
  const arn = (kind: string, rest: string): string => `arn:aws:iot:${sandbox.core.region}:${sandbox.core.accountId}:${kind}/${rest}`
  const things = `$aws/things/${thingName}`
  return {
    policyName: name,
    policyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', thingName) },
        { Effect: 'Allow', Action: 'iot:Subscribe', Resource: [arn('topicfilter', `${things}/shadow/*`), ...(withJobs ? [arn('topicfilter', `${things}/jobs/*`)] : [])] },
        { Effect: 'Allow', Action: 'iot:Receive', Resource: arn('topic', `${things}/*`) },
        { Effect: 'Allow', Action: 'iot:Publish', Resource: arn('topic', `${things}/shadow/*`) }
      ]
    })
  }
}

function dataPlaneOf(sandbox: TestSandbox): IoTDataPlaneClient {
  const client = new IoTDataPlaneClient({
    region: sandbox.core.region,
    endpoint: sandbox.core.dataPlaneUrl,
    credentials: { accessKeyId: sandbox.core.accessKeyId, secretAccessKey: sandbox.core.secretAccessKey },
    maxAttempts: 1
  })
  cleanups.push(() => client.destroy())
  return client
}

describe('ExpressLink onboarding against the Local IoT Core', () => {
  it('identify → read certificate → register without CA → thing → least-privilege policy → endpoint → connect → shadow update seen on the data plane; hints 4, 5, 6 on the way', async () => {
    const sandbox = await startTestSandbox()
    cleanups.push(() => sandbox.stop())
    const { driver } = await expressLinkBench(cleanups)
    const timings: Record<string, number> = {}
    let waitedOnModule = 0
    const timed = async <T>(step: string, run: () => Promise<T>, onModule = true): Promise<T> => {
      const started = performance.now()
      try {
        return await run()
      } finally {
        timings[step] = performance.now() - started
        if (onModule) waitedOnModule += timings[step]
      }
    }
    const endpoint = `${sandbox.core.mqttHost}:${sandbox.core.mqttPort}`
    const started = performance.now()

    const identity = await timed('identify', () => driver.identify())
    expect(identity).toMatchObject({ onboarded: false, connected: false })
    const certificatePem = await timed('read certificate', () => driver.readCertificate())
    await timed('configure', () => driver.configure({ SSID: 'bench-wifi', Passphrase: 'bench-passphrase', Endpoint: endpoint }))

    // Not yet trusting the sandbox's CA: the TLS step fails (hint 4), as with a wrong RootCA.
    const tls = (await rejectionOf(driver.connect())) as ExpressLinkCommandError
    expect([tls.code, tls.hint]).toEqual([14, '4'])
    expect(tls.message).toMatch(/hint 4 \(TLS\): the secure \(TLS\) connection failed: the server certificate did not verify against RootCA/)
    await driver.configure({ RootCA: caOf(sandbox.core) })
    // Trusted, but the module's certificate is unknown to the account: MQTT login refused (hint 5).
    const login = (await rejectionOf(driver.connect())) as ExpressLinkCommandError
    expect([login.code, login.hint]).toEqual([14, '5'])
    expect(login.message).toMatch(/hint 5 \(MQTT LOGIN\): AWS IoT refused the module: its certificate is not registered or not ACTIVE in this account/)

    const thingName = identity.thingName
    const registered = await timed('register without CA', () => sandbox.iot.send(new RegisterCertificateWithoutCACommand({ certificatePem, status: 'ACTIVE' })), false)
    await timed('create thing', () => sandbox.iot.send(new CreateThingCommand({ thingName })), false)
    await timed('attach thing', () => sandbox.iot.send(new AttachThingPrincipalCommand({ thingName, principal: registered.certificateArn! })), false)

    // A policy without the reserved jobs topics: connected, but the module's own registration fails (hint 6).
    const noJobs = modulePolicy(sandbox, thingName, 'expresslink-no-jobs', false)
    await sandbox.iot.send(new CreatePolicyCommand(noJobs))
    await sandbox.iot.send(new AttachPolicyCommand({ policyName: noJobs.policyName, target: registered.certificateArn! }))
    const jobs = (await rejectionOf(driver.connect())) as ExpressLinkCommandError
    expect([jobs.code, jobs.hint]).toEqual([14, '6'])
    expect(jobs.message).toMatch(/hint 6 \(RESERVED TOPICS\): .*the policy lacks those permissions/)
    await sandbox.iot.send(new DetachPolicyCommand({ policyName: noJobs.policyName, target: registered.certificateArn! }))

    const policy = modulePolicy(sandbox, thingName, 'expresslink-module', true)
    await timed('create policy', () => sandbox.iot.send(new CreatePolicyCommand(policy)), false)
    await timed('attach policy', () => sandbox.iot.send(new AttachPolicyCommand({ policyName: policy.policyName, target: registered.certificateArn! })), false)
    await timed('connect', () => driver.connect())
    expect(await driver.connectionStatus()).toEqual({ connected: true, onboarded: true })
    expect((await driver.command('AT+TIME?')).detail).toMatch(/^date \d{4}\/\d\d\/\d\d time \d\d:\d\d:\d\d\.\d\d SNTP$/)
    const sleep = (await rejectionOf(driver.command('AT+SLEEP'))) as ExpressLinkCommandError
    expect(sleep.message).toMatch(/ERR18 ACTIVE CONNECTION: the module is connected, which prevents this command: disconnect first/)

    // The shadow through the module's own connection.
    await timed('shadow init', () => driver.initShadow())
    const update = await timed('shadow update', () => driver.updateShadow({ state: { reported: { temperature: 21.5, firmware: 'sim' } } }))
    const total = performance.now() - started
    const clean = Object.values(timings).reduce((sum, ms) => sum + ms, 0)
    expect(update.accepted).toBe(true)
    expect(update.document).toMatchObject({ state: { reported: { temperature: 21.5 } }, clientToken: 'ExpressLink', version: 1 })
    const data = dataPlaneOf(sandbox)
    const seen = JSON.parse(new TextDecoder().decode((await data.send(new GetThingShadowCommand({ thingName }))).payload)) as { state: { reported: unknown } }
    expect(seen.state.reported).toEqual({ temperature: 21.5, firmware: 'sim' })
    console.log(
      `ExpressLink onboarding (identify → shadow verified): ${total.toFixed(0)} ms with the three refused connects on the way; the steps alone ${clean.toFixed(0)} ms, ${waitedOnModule.toFixed(0)} ms (${((100 * waitedOnModule) / clean).toFixed(0)}%) of it waiting on the module: ${Object.entries(timings)
        .map(([step, ms]) => `${step} ${ms.toFixed(0)} ms`)
        .join(', ')}`
    )

    // The cloud side sets desired; the module hears the delta and the document matches.
    await driver.subscribeShadowDeltas()
    await data.send(new UpdateThingShadowCommand({ thingName, payload: JSON.stringify({ state: { desired: { temperature: 23 } } }) }))
    await driver.waitForEvent([eventIds.shadowDelta], 0, 5_000, 'the delta')
    expect(await driver.nextShadowDelta()).toMatchObject({ state: { temperature: 23 } })
    const document = await driver.getShadow()
    expect(document).toMatchObject({ accepted: true, document: { state: { desired: { temperature: 23 }, reported: { temperature: 21.5 } } } })
    // A document with its own clientToken while ShadowToken is set: ERR24, nothing sent.
    const token = (await rejectionOf(driver.command('AT+SHADOW UPDATE {"clientToken":"mine","state":{}}'))) as ExpressLinkCommandError
    expect(token.code).toBe(24)
    const notJson = (await rejectionOf(driver.command('AT+SHADOW UPDATE {not json'))) as ExpressLinkCommandError
    expect(notJson.message).toMatch(/ERR4 PARAMETER ERROR: .*\(for a shadow update\) not valid JSON/)

    await driver.disconnect()
    const after = await driver.pollEvents()
    expect(after.map((e) => e.id)).toContain(eventIds.connectionLost)
    expect(await driver.connectionStatus()).toEqual({ connected: false, onboarded: true })
  }, 60_000)

  it('CONNECT while a CONNECT! is still in progress is refused with ERR25, and the background attempt ends in a CONNECT event with a failure hint', async () => {
    // An endpoint that accepts TCP and never answers: the background connect hangs until its timeout.
    const held: Socket[] = []
    const silent = createServer((socket) => held.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => new Promise<void>((resolve) => (held.forEach((s) => s.destroy()), silent.close(() => resolve()))))
    const port = (silent.address() as { port: number }).port
    const { driver } = await expressLinkBench(cleanups, { connectTimeoutMs: 1_000 })
    await driver.configure({ SSID: 'bench-wifi', Endpoint: `127.0.0.1:${port}` })
    await driver.command('AT+CONNECT!')
    const busy = (await rejectionOf(driver.connect())) as ExpressLinkCommandError
    expect(busy.code).toBe(25)
    expect(busy.message).toMatch(/ERR25 NOT ALLOWED: the module is busy with something that conflicts \(configuration mode, or a CONNECT! still in progress\)/)
    const outcome = await driver.waitForEvent([eventIds.connect], undefined, 10_000, 'AT+CONNECT!')
    expect(outcome.param).toBeGreaterThan(0)
    expect(outcome.meaning).toMatch(/^the background connect failed at step [1-6]$/)
  })
})
