import { defineStore } from 'pinia'
import { onScopeDispose, reactive, toRaw } from 'vue'
import type { ProvisionOutcome } from '@contract/api'
import { deviceWriteSteps, type DeviceWriteProgress, type DeviceWriteResult } from '@contract/jsonLinesProvisioning'
import type { ProvisionPlanInput, ProvisionProgress, ProvisionStep } from '@contract/provisioning'
import { useApi } from '../api/useApi'
import { nextThingName } from './support/planDraft'
import { rememberedRef } from './support/remembered'
import { useBenchWifiStore } from './useBenchWifiStore'
import type { DeviceWriteRow } from './useDeviceWriteStore'
import { usePortOffersStore } from './usePortOffersStore'
import { useProvisioningStore } from './useProvisioningStore'

// "Provision this device" for a JSON-lines board on a new port: the wizard's last choices (type,
// attributes, groups, policy, how the certificate is made) for the batch's next name, then the
// thing's identity written to the board over the cable and its connection watched — the wizard's
// run and its Done step's write, in one click per board, several boards at once. The template is
// learnt when the wizard writes an identity to a board; the private key never comes here (the back
// end sends it from the vault to the port).

/** The plan without what is the device's own (its name, a certificate it brought), and the Wi-Fi network the board got ('' none). */
export type BoardTemplate = Omit<ProvisionPlanInput, 'thingName' | 'addCertificateToExistingThing'> & { wifiSsid?: string }

export type BoardFlowPhase = 'provisioning' | 'writing' | 'connected' | 'failed'

export interface BoardFlow {
  portPath: string
  thingName: string
  runId: string
  phase: BoardFlowPhase
  provisionSteps: { step: ProvisionStep; status: 'started' | 'done' | 'skipped' | 'failed'; detail: string }[]
  writeSteps: DeviceWriteRow[]
  /** The thing was registered; a failed write can be tried again for it. */
  certificateId: string | null
  /** The network the board is given (its passphrase in this window's memory only). */
  wifi?: { ssid: string; passphrase: string }
  /** Why the registration did not happen (and what was undone), in AWS's words. */
  provisionFailure: { errorName: string; message: string; undone: boolean; leftBehind: string[] } | null
  /** The write's refusal or failure (a DeviceWriteError: its name and sentence). */
  writeError: unknown
  result: DeviceWriteResult | null
}

const isTemplate = (value: unknown): value is BoardTemplate | null => value === null || (typeof value === 'object' && !Array.isArray(value))
const freshWriteSteps = (): DeviceWriteRow[] => deviceWriteSteps.map((step) => ({ step, status: 'pending', detail: '' }))

export const useBoardProvisioningStore = defineStore('boardProvisioning', () => {
  const api = useApi()
  const portOffers = usePortOffersStore()
  const provisioning = useProvisioningStore()
  const benchWifi = useBenchWifiStore()

  /** The last choices, from the last identity the wizard wrote to a board. */
  const template = rememberedRef<BoardTemplate | null>('boardProvisioning.template', null, isTemplate)
  /** By port path, newest last. */
  const flows = reactive(new Map<string, BoardFlow>())
  const byRunId = new Map<string, BoardFlow>()

  /** The wizard wrote an identity to a board (given `wifiSsid`, '' none): its choices become the ones new boards are offered. */
  function learn(plan: ProvisionPlanInput, wifiSsid = ''): void {
    const { thingName: _name, addCertificateToExistingThing: _add, ...choices } = plan
    // A certificate the last device brought is its own: the next one gets a new key made here.
    const certificate = choices.certificate?.mode === 'existing' ? { mode: 'csr' as const, keyAlgorithm: 'ec' as const } : choices.certificate
    template.value = { ...choices, ...(certificate ? { certificate } : {}), ...(wifiSsid ? { wifiSsid } : {}) }
    portOffers.learned('jsonLines')
  }

  /** The last board's Wi-Fi network for the next, or 'ask' when this window does not know its passphrase. */
  function nextNetwork(): { ssid: string; passphrase: string } | 'ask' | undefined {
    const ssid = template.value?.wifiSsid
    if (!ssid) return undefined
    const passphrase = benchWifi.passphraseFor(ssid)
    return passphrase === null ? 'ask' : { ssid, passphrase }
  }

  /** Names given to boards in this window, whatever became of them: never offered twice. */
  const allocated = reactive(new Set<string>())

  /** The names the next `count` boards get, in order: the batch's next ones after the last thing provisioned here. */
  function suggestedNames(count: number): string[] {
    const names: string[] = []
    let last = provisioning.lastThingName
    while (names.length < count && last) {
      const next = nextThingName(last)
      if (!next) break
      if (!allocated.has(next)) names.push(next)
      last = next
    }
    return names
  }

  /** Takes `thingName` for a board; the batch moves on past every name taken so far in a row. */
  function allocate(thingName: string): void {
    allocated.add(thingName)
    let last = provisioning.lastThingName
    for (let next = last ? nextThingName(last) : null; next && allocated.has(next); next = nextThingName(next)) last = next
    provisioning.lastThingName = last
    // The wizard's suggestion moves on too, unless the user is in the middle of a run.
    if (!provisioning.run.running && allocated.has(provisioning.draft.thingName)) provisioning.draft.thingName = suggestedNames(1)[0] ?? ''
  }
  const suggestedName = (): string | null => suggestedNames(1)[0] ?? null

  /**
   * One click: register `thingName` (the name the offer showed; by default the batch's next) with the
   * last choices and write its identity to the board on `portPath`, with the last board's Wi-Fi
   * network (`passphrase`: asked on the offer when this window does not know it).
   */
  async function provision(portPath: string, thingName: string | null = suggestedName(), passphrase?: string): Promise<void> {
    const choices = template.value
    if (!choices || !thingName || flows.get(portPath)?.phase === 'provisioning' || flows.get(portPath)?.phase === 'writing') return
    const known = nextNetwork()
    const wifi = known === 'ask' ? (passphrase === undefined ? undefined : { ssid: choices.wifiSsid!, passphrase }) : known
    if (known === 'ask' && !wifi) return
    if (wifi) benchWifi.remember(wifi)
    // Taken now, before any await: offers still waiting count on without it.
    allocate(thingName)
    const runId = crypto.randomUUID()
    const flow = reactive<BoardFlow>({
      portPath,
      thingName,
      runId,
      phase: 'provisioning',
      provisionSteps: [],
      writeSteps: freshWriteSteps(),
      certificateId: null,
      ...(wifi ? { wifi } : {}),
      provisionFailure: null,
      writeError: null,
      result: null
    })
    flows.delete(portPath)
    flows.set(portPath, flow)
    byRunId.set(runId, flow)
    portOffers.taken(portPath)
    try {
      // The plain plan, not the reactive one: transports copy arguments (structured clone, JSON).
      const { wifiSsid: _network, ...plan } = toRaw(choices)
      const outcome: ProvisionOutcome = await api.call('provisioning.run', { plan: { ...plan, thingName }, runId })
      if (outcome.outcome === 'refused') {
        flow.provisionFailure = { errorName: 'PlanRefused', message: outcome.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; '), undone: true, leftBehind: [] }
      } else if (outcome.outcome === 'failed') {
        flow.provisionFailure = { errorName: outcome.errorName, message: outcome.message, undone: outcome.undo.complete, leftBehind: outcome.undo.leftBehind }
      } else {
        flow.certificateId = outcome.result.certificateId
      }
    } catch (error) {
      flow.provisionFailure = { errorName: (error as { errorName?: string }).errorName ?? 'Error', message: error instanceof Error ? error.message : String(error), undone: false, leftBehind: [] }
    } finally {
      byRunId.delete(runId)
    }
    if (flow.certificateId) await write(flow)
    else flow.phase = 'failed'
    portOffers.released(portPath)
  }

  /** The thing is registered but the write failed (a cable pulled, a board reset): write it again. */
  async function retryWrite(portPath: string): Promise<void> {
    const flow = flows.get(portPath)
    if (!flow || flow.phase !== 'failed' || !flow.certificateId) return
    portOffers.taken(portPath)
    await write(flow)
    portOffers.released(portPath)
  }

  async function write(flow: BoardFlow): Promise<void> {
    flow.phase = 'writing'
    flow.writeSteps = freshWriteSteps()
    flow.writeError = null
    try {
      const wifi = flow.wifi ? toRaw(flow.wifi) : undefined
      flow.result = await api.call('provisioning.writeToDevice', { portPath: flow.portPath, thingName: flow.thingName, certificateId: flow.certificateId!, ...(wifi ? { wifi } : {}) })
      flow.phase = 'connected'
    } catch (error) {
      flow.writeError = error
      flow.phase = 'failed'
    }
  }

  function dismiss(portPath: string): void {
    const phase = flows.get(portPath)?.phase
    if (phase === 'failed' || phase === 'connected') flows.delete(portPath)
  }

  function provisioned(p: ProvisionProgress): void {
    const flow = byRunId.get(p.runId)
    if (!flow || (p.phase !== 'step' && p.phase !== 'failed')) return
    const status = p.phase === 'failed' ? 'failed' : p.status
    const detail = p.phase === 'failed' ? '' : (p.detail ?? '')
    const row = flow.provisionSteps.find((s) => s.step === p.step)
    if (row) Object.assign(row, { status, detail })
    else flow.provisionSteps.push({ step: p.step, status, detail })
  }

  function written(p: DeviceWriteProgress): void {
    const flow = flows.get(p.portPath)
    if (!flow || flow.thingName !== p.thingName || flow.phase !== 'writing') return
    const row = flow.writeSteps.find((s) => s.step === p.step)
    if (row) Object.assign(row, { status: p.status, detail: p.detail ?? '' })
  }

  const stops = [api.on('provisioning.progress', provisioned), api.on('provisioning.deviceWrite', written)]
  onScopeDispose(() => stops.forEach((stop) => stop()))

  return { template, flows, learn, nextNetwork, suggestedNames, suggestedName, provision, retryWrite, dismiss }
})
