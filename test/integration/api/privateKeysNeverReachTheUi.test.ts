import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import type { NativeDialogs } from '../../../electron/app/api'
import { apiEventNames, apiMethods, type MethodArgs, type MethodName } from '../../../electron/contract'
import { startTestApi, type TestApi } from '../../support/apiBackend'
import { thermostatOnPort } from '../../devices/thermostat/onPort'
import { openPtyPair, type PtyPair } from '../../support/ptyPair'
import { expressLinkBench, type ExpressLinkBench } from '../serial/expresslinkSupport'
import { makeDeviceCertificateWithKey, pemBodyLines } from '../provisioning/support/deviceCertificate'
import { benchWifi } from '../../devices/expresslink/config'

// The results check over the whole contract: every method of the table is called through the real
// dispatcher against the real Local IoT Core, with private keys in play (made here, made by AWS, read
// from a certificate file and kept), and no answer, error or event may carry a private key. A method
// added to the contract without a call here fails this test (and the type check).

interface Seed {
  csr: { thingName: string; certificateId: string; policyName: string }
  aws: { thingName: string; certificateId: string }
  file: { thingName: string; certificateId: string }
  groupName: string
  thingTypeName: string
}

type Calls = { [M in MethodName]: (seed: Seed) => Promise<Array<MethodArgs<M>>> | Array<MethodArgs<M>> }

let t: TestApi
let dir: string
let seed: Seed
let serialPty: PtyPair
/** A simulated ExpressLink module on a pty, its Wi-Fi set, its host end free for onboarding.expressLink. */
let expressLink: ExpressLinkBench
const expressLinkCleanups: (() => Promise<void> | void)[] = []
const privateKeys: string[] = []
const events: Array<{ event: string; payload: unknown }> = []

/** Where the dialog stand-ins answer like a person: a file holding a certificate and its key, a fresh export folder, yes to an endpoint. */
let pickedFile = ''
const dialogs: NativeDialogs = {
  chooseExportFolder: async (suggestedName) => join(dir, `${suggestedName}-${randomUUID()}`),
  chooseFolder: async () => join(dir, 'chosen-folder'),
  pickCertificateFile: async () => pickedFile,
  confirmEndpoint: async () => true
}

async function deviceFile(commonName: string): Promise<{ certificatePem: string; privateKeyPem: string; text: string }> {
  const device = await makeDeviceCertificateWithKey({ commonName })
  privateKeys.push(device.privateKeyPem)
  return { ...device, text: `${device.privateKeyPem}${device.certificatePem}` }
}

const calls: Calls = {
  'app.info': () => [{}],
  'connections.list': () => [{}],
  'connections.select': () => [{ id: 'local' }],
  'connections.addEndpoint': () => [{ url: 'http://127.0.0.1:5000', region: 'us-east-1' }],
  'provisioning.preview': (s) => [{ plan: { thingName: 'keys-preview', policy: { mode: 'existing', policyName: s.csr.policyName } } }],
  'provisioning.run': async () => {
    const file = await deviceFile('keys-run-file')
    const view = await t.api.call('files.readCertificate', { text: file.text, fileName: 'keys-run-file.pem' })
    return [
      { plan: { thingName: 'keys-run-csr', certificate: { mode: 'csr', keyAlgorithm: 'rsa2048' } } },
      { plan: { thingName: 'keys-run-aws', certificate: { mode: 'aws' } } },
      { plan: { thingName: 'keys-run-file', certificate: { mode: 'existing', certificatePem: view.certificatePem, keepPrivateKey: true } } }
    ]
  },
  'provisioning.cancel': () => [{ runId: randomUUID() }],
  'provisioning.exportBundle': async (s) => {
    // As in Electron, a folder the page names must have been picked in the native dialog first.
    await t.api.call('files.chooseExportFolder', {})
    return [
      ...[s.csr, s.aws, s.file].map(({ certificateId, thingName }) => ({ certificateId, thingName })),
      { certificateId: s.csr.certificateId, thingName: s.csr.thingName, folder: join(dir, 'chosen-folder') }
    ]
  },
  // The one call that sends a key out, to a board over a pty: a thing of its own, so its reports touch no other shadow.
  'provisioning.writeToDevice': async () => {
    const outcome = await t.api.call('provisioning.run', { plan: { thingName: 'keys-written' } })
    if (outcome.outcome !== 'provisioned') throw new Error(`keys-written was not provisioned: ${JSON.stringify(outcome)}`)
    const pair = await openPtyPair('keys-written', dir)
    const thermostat = await thermostatOnPort(pair.devicePath, { connect: true, reportEveryMs: 60_000 })
    onTestFinished(async () => {
      await thermostat.close()
      await pair.close()
    })
    return [{ portPath: pair.hostPath, thingName: outcome.result.thingName, certificateId: outcome.result.certificateId }]
  },
  'files.chooseExportFolder': () => [{}, { current: dir }],
  'connections.deviceEndpoint': () => [{}],
  'connections.dataEndpoint': () => [{ id: 'local' }],
  'connections.test': () => [{ id: 'local' }],
  'connections.localCore': () => [{}],
  'certificates.inspect': async () => [{ pem: (await deviceFile('keys-inspect')).text }],
  'files.pickCertificate': async () => {
    pickedFile = join(dir, 'picked.pem')
    await writeFile(pickedFile, (await deviceFile('keys-picked')).text)
    return [{}]
  },
  'files.readCertificate': async () => [{ text: (await deviceFile('keys-read')).text, fileName: 'keys-read.pem' }],
  'policies.templates': () => [{}],
  'policies.checkDocument': () => [{ document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}' }],
  'policies.list': () => [{}],
  'policies.describe': (s) => [{ policyName: s.csr.policyName }],
  'policies.version': (s) => [{ policyName: s.csr.policyName, versionId: '1' }],
  'policies.setDefaultVersion': (s) => [{ policyName: s.csr.policyName, versionId: '1' }],
  'policies.create': () => [{ policyName: 'keys-policy-2', document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}' }],
  'policies.createVersion': () => [{ policyName: 'keys-policy-2', document: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iot:Connect","Resource":"*"}]}' }],
  'policies.deleteVersion': () => [{ policyName: 'keys-policy-2', versionId: '2' }],
  'policies.explainRefusal': (s) => [
    { thingName: s.csr.thingName, action: 'subscribe', resource: '$aws/things/someone-else/shadow/#' },
    { certificateId: s.csr.certificateId, clientId: s.csr.thingName, action: 'connect' }
  ],
  'things.list': () => [{}],
  'things.describe': (s) => [s.csr, s.aws, s.file].map(({ thingName }) => ({ thingName })),
  'things.connectivity': (s) => [{ thingName: s.csr.thingName }],
  'things.updateAttributes': (s) => [{ thingName: s.file.thingName, attributes: { site: 'bench-3' } }],
  'things.deprovision': (s) => [{ thingName: s.csr.thingName, dryRun: true }],
  'groups.list': () => [{}],
  'groups.describe': (s) => [{ groupName: s.groupName }],
  'groups.create': () => [{ groupName: 'keys-group-2' }],
  'groups.delete': () => [{ groupName: 'keys-group-2' }],
  'groups.addThing': (s) => [{ groupName: s.groupName, thingName: s.file.thingName }],
  'groups.removeThing': (s) => [{ groupName: s.groupName, thingName: s.file.thingName }],
  'groups.attachPolicy': (s) => [{ groupName: s.groupName, policyName: s.csr.policyName }],
  'groups.detachPolicy': (s) => [{ groupName: s.groupName, policyName: s.csr.policyName }],
  'certificates.things': async (s) => [
    { certificateArns: await Promise.all([s.csr, s.aws, s.file].map(async ({ certificateId }) => (await t.api.call('certificates.describe', { certificateId })).certificateArn)) }
  ],
  'certificates.list': () => [{}],
  'certificates.describe': (s) => [s.csr, s.aws, s.file].map(({ certificateId }) => ({ certificateId })),
  'certificates.setStatus': (s) => [{ certificateId: s.aws.certificateId, status: 'ACTIVE' }],
  'thingTypes.list': () => [{}],
  'thingTypes.create': () => [{ thingTypeName: 'keys-type-2' }],
  'thingTypes.deprecate': (s) => [{ thingTypeName: s.thingTypeName }],
  'thingTypes.delete': (s) => [{ thingTypeName: s.thingTypeName }],
  // The device side: the thing connects with its vault key, which must stay in the back end.
  'shadow.update': (s) => [
    { thingName: s.csr.thingName, desired: { on: true } },
    { thingName: s.csr.thingName, reported: { on: false }, via: 'mqtt' },
    { thingName: s.csr.thingName, desired: { on: false }, version: 1 }
  ],
  'shadow.get': (s) => [{ thingName: s.csr.thingName }, { thingName: s.csr.thingName, via: 'mqtt' }],
  'shadow.list': (s) => [{ thingName: s.csr.thingName }],
  'shadow.watch': (s) => [{ thingName: s.csr.thingName, watchId: deviceSide.watchId }],
  'shadow.unwatch': () => [{ watchId: deviceSide.watchId }],
  'shadow.delete': (s) => [{ thingName: s.csr.thingName }],
  'device.start': (s) => [{ thingName: s.csr.thingName, shadowName: 'keys-named', initialReported: { on: false }, answering: { mode: 'manual' } }],
  'device.list': () => [{}],
  'device.acknowledge': () => [{ deviceId: deviceSide.deviceId() }],
  'device.report': () => [{ deviceId: deviceSide.deviceId(), reported: { on: true } }],
  'device.stop': () => [{ deviceId: deviceSide.deviceId() }],
  'mqtt.subscribe': (s) => [
    { filter: `$aws/things/${s.csr.thingName}/shadow/#`, as: { thingName: s.csr.thingName } },
    { filter: '#', as: { operator: true } }
  ],
  'mqtt.publish': (s) => [{ topic: `$aws/things/${s.csr.thingName}/shadow/get`, payload: '{}', as: { thingName: s.csr.thingName } }],
  'mqtt.unsubscribe': () => deviceSide.subscriptionIds().map((subscriptionId) => ({ subscriptionId })),
  'mqtt.listRetained': () => [{}],
  // The history holds what the watch above saw of keys-csr's shadow.
  'history.versions': (s) => [{ thingName: s.csr.thingName, withDocuments: true }],
  'history.version': (s) => [{ thingName: s.csr.thingName, version: recorded.firstVersion() }],
  'history.diff': (s) => [{ thingName: s.csr.thingName, from: recorded.firstVersion(), to: recorded.lastVersion() }],
  'history.export': (s) => [
    { thingName: s.csr.thingName, format: 'csv' },
    { thingName: s.csr.thingName, format: 'jsonl', folder: join(dir, 'history-export') }
  ],
  'history.settings': () => [{}],
  'history.setSettings': () => [{ keepDays: 30 }],
  // A socat pty pair plays a board on the serial calls (the table's order: open, close, then write).
  'serial.list': async () => {
    serialPty = await openPtyPair('keys', dir)
    onTestFinished(() => serialPty.close())
    return [{}]
  },
  'serial.watchPath': () => [{ path: serialPty.hostPath }],
  'serial.unwatchPath': () => [{ path: serialPty.hostPath }],
  'serial.rename': async () => {
    await t.api.call('serial.watchPath', { path: serialPty.hostPath })
    return [{ path: serialPty.hostPath, friendlyName: 'Bench board' }]
  },
  'serial.open': () => [{ path: serialPty.hostPath, baudRate: 115_200 }],
  'serial.close': () => [{ path: serialPty.hostPath }],
  'serial.write': async () => {
    await t.api.call('serial.open', { path: serialPty.hostPath })
    return [
      { path: serialPty.hostPath, encoding: 'text', text: 'AT', lineEnding: 'crlf' },
      { path: serialPty.hostPath, encoding: 'hex', hex: '41 54 0d 0a' }
    ]
  },
  'serial.setSignals': () => [{ path: serialPty.hostPath, dtr: true, rts: false }],
  'onboarding.expressLink': () => [{ portPath: expressLink.pair.hostPath }],
  // A JSON-lines thermostat on a pty of its own, attached as keys-csr (its vault key connects it).
  'bench.attach': async (s) => {
    const pair = await openPtyPair('keys-bench', dir)
    const thermostat = await thermostatOnPort(pair.devicePath, { reportEveryMs: 60_000 })
    onTestFinished(async () => {
      await thermostat.close()
      await pair.close()
    })
    return [{ portPath: pair.hostPath, thingName: s.csr.thingName, shadowName: 'keys-bench', driver: 'jsonLines' }]
  },
  'bench.detach': () => [{ benchId: idsFrom('bench.attach', 'benchId')[0]! }],
  'bench.list': () => [{}]
}

/** Answers so far, per method: the device-side calls take the ids earlier ones answered (the table's order is the contract's). */
const answered = new Map<string, unknown[]>()
const idsFrom = (method: MethodName, field: string): string[] => (answered.get(method) ?? []).map((answer) => (answer as Record<string, string>)[field]!)
const recorded = {
  versions: () => (answered.get('history.versions')?.[0] as { versions: Array<{ version: number }> } | undefined)?.versions ?? [],
  firstVersion: () => recorded.versions()[0]!.version,
  lastVersion: () => recorded.versions().at(-1)!.version
}
const deviceSide = {
  watchId: randomUUID(),
  deviceId: () => idsFrom('device.start', 'deviceId')[0]!,
  subscriptionIds: () => idsFrom('mqtt.subscribe', 'subscriptionId')
}

beforeAll(async () => {
  t = await startTestApi({ dialogs })
  dir = await mkdtemp(join(tmpdir(), 'tb-keys-'))
  expressLink = await expressLinkBench(expressLinkCleanups)
  await expressLink.driver.configure(benchWifi)
  expressLink.driver.detach()
  await new Promise<void>((resolve) => expressLink.host.close(() => resolve()))
  for (const event of apiEventNames) t.api.on(event, (payload) => events.push({ event, payload }))

  const provisioned = async (plan: Parameters<typeof t.api.call<'provisioning.run'>>[1]['plan']) => {
    const outcome = await t.api.call('provisioning.run', { plan })
    if (outcome.outcome !== 'provisioned') throw new Error(`seed run failed: ${JSON.stringify(outcome)}`)
    return outcome.result
  }
  const file = await deviceFile('keys-file')
  const view = await t.api.call('files.readCertificate', { text: file.text, fileName: 'keys-file.pem' })
  const [csr, aws, fromFile] = [
    await provisioned({ thingName: 'keys-csr' }),
    await provisioned({ thingName: 'keys-aws', certificate: { mode: 'aws' }, policy: { mode: 'none' } }),
    await provisioned({ thingName: 'keys-file', certificate: { mode: 'existing', certificatePem: view.certificatePem, keepPrivateKey: true }, policy: { mode: 'none' } })
  ]
  await t.api.call('groups.create', { groupName: 'keys-group' })
  await t.api.call('thingTypes.create', { thingTypeName: 'keys-type' })
  seed = {
    csr: { thingName: csr.thingName, certificateId: csr.certificateId, policyName: csr.policyName! },
    aws: { thingName: aws.thingName, certificateId: aws.certificateId },
    file: { thingName: fromFile.thingName, certificateId: fromFile.certificateId },
    groupName: 'keys-group',
    thingTypeName: 'keys-type'
  }
})
afterAll(async () => {
  await t?.close()
  for (const cleanup of expressLinkCleanups.splice(0).reverse()) await cleanup()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('no private key ever reaches the UI', () => {
  it('every contract method answers without one, and so does every event', async () => {
    expect(Object.keys(calls).sort()).toEqual(Object.keys(apiMethods).sort())
    const answers: Array<{ method: string; answer: unknown }> = []
    for (const method of Object.keys(apiMethods) as MethodName[]) {
      const argsList = await (calls[method] as (s: Seed) => Promise<unknown[]> | unknown[])(seed)
      expect(argsList.length, `${method} has no call in this test`).toBeGreaterThan(0)
      for (const args of argsList) {
        // A refusal must not carry a key either, but every call here is meant to work.
        const answer = await t.api.call(method, args as never).catch((error: Error & { errorName?: string }) => {
          throw new Error(`${method} failed: ${error.errorName}: ${error.message}`)
        })
        answers.push({ method, answer })
        answered.set(method, [...(answered.get(method) ?? []), answer])
      }
    }

    // The keys in play: what the vault holds for the provisioned certificates, and the files' own.
    for (const entry of await t.session.vault.list()) {
      const value = await t.session.vault.get(entry.id)
      if (value?.includes('PRIVATE KEY')) privateKeys.push(value)
    }
    expect(privateKeys.length).toBeGreaterThanOrEqual(10)
    const secretLines = privateKeys.flatMap(pemBodyLines).filter((line) => line.length >= 16)

    for (const { method, answer } of [...answers, ...events.map((e) => ({ method: `event ${e.event}`, answer: e.payload }))]) {
      const text = JSON.stringify(answer)
      expect(text, `${method} carries a PEM private key`).not.toMatch(/PRIVATE KEY/)
      for (const line of secretLines) expect(text.includes(line), `${method} carries a line of a private key`).toBe(false)
    }
    expect(events.some((e) => e.event === 'provisioning.progress')).toBe(true)
  })
})
