// @vitest-environment happy-dom
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { useBoardProvisioningStore } from '../../../../renderer/src/stores/useBoardProvisioningStore'
import { useOnboardingStore } from '../../../../renderer/src/stores/useOnboardingStore'
import { usePortOffersStore } from '../../../../renderer/src/stores/usePortOffersStore'
import { useProvisioningStore } from '../../../../renderer/src/stores/useProvisioningStore'
import { startTestApi, type TestApi } from '../../../support/apiBackend'
import { startDeviceProcess, type DeviceProcess } from '../../../support/deviceProcess'
import { until } from '../../../support/until'
import { freshPinia } from '../registry/registryApp'

// The Serial view's cable-provisioning stores against the real back end in-process: simulated
// boards on socat ptys started by their own commands (an ExpressLink module, the JSON-lines
// thermostat), the Local IoT Core, and a fresh Pinia (and, where said, a fresh window's) per test.

let t: TestApi
let folder: string
const cleanups: (() => Promise<void>)[] = []

beforeAll(async () => {
  t = await startTestApi()
  folder = await mkdtemp(join(tmpdir(), 'tb-cable-stores-'))
}, 60_000)
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  localStorage.clear()
})
afterAll(async () => {
  await t?.close()
  await rm(folder, { recursive: true, force: true })
})

/** An ExpressLink module out of the box (no Wi-Fi set), plugged in at `<folder>/<name>-host`. */
async function plugInModule(name: string): Promise<string> {
  const module = await startDeviceProcess('expresslink', ['--link', join(folder, name), '--state', join(folder, `${name}-state`)])
  cleanups.push(() => module.stop())
  return module.hostPath
}

/** The JSON-lines thermostat that connects with the identity it is given (unless its firmware cannot take one). */
async function plugInThermostat(name: string, extra: string[] = []): Promise<DeviceProcess> {
  const portDir = join(folder, name)
  await mkdir(portDir, { recursive: true })
  const board = await startDeviceProcess('thermostat', ['--connect', '--port-dir', portDir, '--serial', `TB-${name}`, '--report-every', '60000', ...extra])
  cleanups.push(() => board.stop())
  return board
}

describe('ExpressLink onboarding from the store', () => {
  it('onboards a module without a network onto the Wi-Fi given, step by step; the choices and SSID are remembered for the next window, the passphrase only in memory; a port that appears next is offered the same', async () => {
    freshPinia(t.api)
    const onboarding = useOnboardingStore()
    const hostPath = await plugInModule('onb-a')
    const flow = onboarding.open(hostPath)
    flow.choices.wifiSsid = 'bench-wifi'
    flow.wifiPassphrase = 'bench-passphrase-9'
    await onboarding.start(hostPath)

    expect(flow.error).toBeNull()
    expect(flow.outcome).toBe('onboarded')
    expect(flow.steps.filter((s) => s.status !== 'done').map((s) => `${s.step}:${s.status}`)).toEqual(['addToGroup:skipped'])
    expect(flow.steps.find((s) => s.step === 'setWifi')?.detail).toBe('SSID bench-wifi, passphrase of 18 characters (not shown)')
    expect(flow.result?.wifiSsid).toBe('bench-wifi')
    expect(usePortOffersStore().lastKind).toBe('expressLink')
    const stored = JSON.stringify({ ...localStorage })
    expect(stored).toContain('bench-wifi')
    expect(stored).not.toContain('bench-passphrase-9')

    // Another window: the SSID is remembered, the passphrase is typed again there.
    freshPinia(t.api)
    const nextWindow = useOnboardingStore()
    const offers = usePortOffersStore()
    expect(nextWindow.lastChoices).toEqual({ policyName: '', thingGroup: '', wifiSsid: 'bench-wifi' })
    const nextPath = join(folder, 'onb-b-host')
    await t.api.call('serial.watchPath', { path: nextPath })
    await plugInModule('onb-b')
    await until(() => offers.offers.includes(nextPath), `an offer for ${nextPath}`)
    expect(nextWindow.lastPassphrase).toBeNull() // the offer asks for it
    expect(nextWindow.open(nextPath).wifiPassphrase).toBe('')
  }, 60_000)
})

describe('JSON-lines boards provisioned from a new-port offer', () => {
  it('two boards at once get the batch’s next two names with the wizard’s last choices, registered and written, and both connect', async () => {
    freshPinia(t.api)
    const provisioning = useProvisioningStore()
    const boards = useBoardProvisioningStore()
    provisioning.lastThingName = 'lamp-0041'
    boards.learn({ thingName: 'lamp-0041', attributes: { site: 'bench-3' }, policy: { mode: 'template', template: 'shadow' }, certificate: { mode: 'csr', keyAlgorithm: 'ec' } })
    expect(usePortOffersStore().lastKind).toBe('jsonLines')
    expect(boards.suggestedName()).toBe('lamp-0042')

    const [a, b] = await Promise.all([plugInThermostat('lamp-a'), plugInThermostat('lamp-b')])
    await Promise.all([boards.provision(a.hostPath), boards.provision(b.hostPath)])

    const flowA = boards.flows.get(a.hostPath)!
    const flowB = boards.flows.get(b.hostPath)!
    expect([flowA.thingName, flowB.thingName]).toEqual(['lamp-0042', 'lamp-0043'])
    for (const flow of [flowA, flowB]) {
      expect(flow.provisionFailure).toBeNull()
      expect(flow.writeError).toBeNull()
      expect(flow.phase).toBe('connected')
      expect(flow.provisionSteps.find((s) => s.step === 'createThing')).toMatchObject({ status: 'done' })
      expect(flow.writeSteps.filter((s) => s.status !== 'done').map((s) => `${s.step}:${s.status}`)).toEqual(['wifiSsid:skipped', 'wifiPassphrase:skipped'])
      expect(flow.result?.connection.state).toBe('connected')
      expect((await t.api.call('things.describe', { thingName: flow.thingName })).attributes).toEqual({ site: 'bench-3' })
    }
    expect(provisioning.lastThingName).toBe('lamp-0043')
    // Remembered for the next window: the wizard's choices, never a key or a certificate of its own.
    const remembered = localStorage.getItem('thingbench.boardProvisioning.template')
    expect(remembered).toContain('bench-3')
    expect(remembered).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/)
  }, 90_000)

  it('a name already taken is refused before anything is written to the board; firmware without provisioning fails at hello with the thing kept, and Write again succeeds once a board that can is plugged in', async () => {
    freshPinia(t.api)
    const provisioning = useProvisioningStore()
    const boards = useBoardProvisioningStore()
    const taken = await t.api.call('provisioning.run', { plan: { thingName: 'valve-0008' } })
    expect(taken.outcome).toBe('provisioned')
    provisioning.lastThingName = 'valve-0007'
    boards.learn({ thingName: 'valve-0007' })

    const old = await plugInThermostat('valve-a', ['--no-provisioning'])
    await boards.provision(old.hostPath)
    const refused = boards.flows.get(old.hostPath)!
    expect(refused.phase).toBe('failed')
    expect(refused.provisionFailure).toMatchObject({ errorName: 'PlanRefused' })
    expect(refused.provisionFailure?.message).toContain('valve-0008')
    expect(refused.certificateId).toBeNull()
    expect(refused.writeSteps.every((s) => s.status === 'pending')).toBe(true)

    // The next name is free, but the board's firmware cannot take an identity.
    await boards.provision(old.hostPath)
    const flow = boards.flows.get(old.hostPath)!
    expect(flow.thingName).toBe('valve-0009')
    expect(flow.phase).toBe('failed')
    expect(flow.writeError).toMatchObject({ errorName: 'NoProvisionCapability' })
    expect(flow.writeSteps.find((s) => s.step === 'hello')?.status).toBe('failed')
    expect(flow.certificateId).toMatch(/^[0-9a-f]{64}$/)
    expect((await t.api.call('things.describe', { thingName: 'valve-0009' })).thingName).toBe('valve-0009')

    await old.stop()
    await plugInThermostat('valve-a')
    await boards.retryWrite(old.hostPath)
    expect(flow.writeError).toBeNull()
    expect(flow.phase).toBe('connected')
    expect(flow.result?.thingName).toBe('valve-0009')
  }, 90_000)

  it('the last board’s Wi-Fi network goes to the next boards; a window that does not know its passphrase asks for it before anything runs', async () => {
    freshPinia(t.api)
    useProvisioningStore().lastThingName = 'fan-0001'
    useBoardProvisioningStore().learn({ thingName: 'fan-0001' }, 'bench-wifi')
    await nextTick() // remembered values are written after the change
    // Another window: the SSID is remembered, its passphrase never was.
    freshPinia(t.api)
    useProvisioningStore().lastThingName = 'fan-0001'
    const boards = useBoardProvisioningStore()
    expect(boards.nextNetwork()).toBe('ask')
    const board = await plugInThermostat('fan-a')
    await boards.provision(board.hostPath, 'fan-0002')
    expect(boards.flows.size).toBe(0)

    await boards.provision(board.hostPath, 'fan-0002', 'bench-passphrase-3')
    const flow = boards.flows.get(board.hostPath)!
    expect(flow.writeError).toBeNull()
    expect(flow.result).toMatchObject({ thingName: 'fan-0002', wifiSsid: 'bench-wifi', connection: { state: 'connected' } })
    expect(flow.writeSteps.find((s) => s.step === 'wifiPassphrase')).toMatchObject({ status: 'done', detail: '18 characters, not shown' })
    // Typed once: the next board of this window needs no asking, and nothing on disk holds it.
    expect(boards.nextNetwork()).toEqual({ ssid: 'bench-wifi', passphrase: 'bench-passphrase-3' })
    expect(JSON.stringify({ ...localStorage })).not.toContain('bench-passphrase-3')
  }, 60_000)
})
