import { defineStore } from 'pinia'
import { computed, onScopeDispose, reactive } from 'vue'
import { onboardingSteps, type ExpressLinkOnboardingResult, type OnboardingProgress, type OnboardingStep } from '@contract/onboarding'
import { useApi } from '../api/useApi'
import { useBenchWifiStore } from './useBenchWifiStore'
import { usePortOffersStore } from './usePortOffersStore'
import { rememberedRef } from './support/remembered'

// ExpressLink onboarding from the Serial view: one flow per port, each independent (a bench
// onboards several boards at once), fed by onboarding.progress matched on its runId. The policy,
// group and Wi-Fi network last used are remembered (the passphrase only in memory), and once a module
// was onboarded the new ports are offered the same (usePortOffersStore): one click each.

export type FlowStepStatus = 'pending' | 'started' | 'done' | 'skipped' | 'failed'

export interface OnboardingChoices {
  /** Empty: the shared default policy. */
  policyName: string
  /** Empty: no group. */
  thingGroup: string
  /** Empty: the module keeps its own network (a cellular module, or one already on the bench Wi-Fi). */
  wifiSsid: string
}

export interface OnboardingFlow {
  portPath: string
  choices: OnboardingChoices
  /** Kept in memory only (this window, until it closes), never remembered on disk. */
  wifiPassphrase: string
  runId: string | null
  running: boolean
  steps: { step: OnboardingStep; status: FlowStepStatus; detail: string }[]
  /** The step that failed, with AWS's (or the module's) error name and words. */
  failure: { step: OnboardingStep; errorName: string; message: string } | null
  /** What a failed run undid, newest first, as it happened. */
  undo: { action: string; status: 'started' | 'done' | 'failed'; detail: string }[]
  outcome: 'onboarded' | 'rolledBack' | null
  result: ExpressLinkOnboardingResult | null
  /** A refusal before any step ran (the port held, bad input…), or the call's error after a failure. */
  error: unknown
  /** From Start to the answer, as the user waited. */
  totalMs: number
}

// Choices remembered before Wi-Fi existed have no wifiSsid: still good, read as none.
const isChoices = (v: unknown): v is Omit<OnboardingChoices, 'wifiSsid'> & { wifiSsid?: string } =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as OnboardingChoices).policyName === 'string' &&
  typeof (v as OnboardingChoices).thingGroup === 'string' &&
  ['string', 'undefined'].includes(typeof (v as OnboardingChoices).wifiSsid)

function freshSteps(): OnboardingFlow['steps'] {
  return onboardingSteps.map((step) => ({ step, status: 'pending' as const, detail: '' }))
}

export const useOnboardingStore = defineStore('onboarding', () => {
  const api = useApi()
  const portOffers = usePortOffersStore()
  const benchWifi = useBenchWifiStore()

  /** By port path, in the order they were opened. */
  const flows = reactive(new Map<string, OnboardingFlow>())
  const remembered = rememberedRef('onboarding.lastChoices', { policyName: '', thingGroup: '', wifiSsid: '' }, isChoices)
  const lastChoices = computed<OnboardingChoices>(() => ({ wifiSsid: '', ...remembered.value }))
  /** The last network's passphrase, when typed in this window (else the user is asked again). */
  const lastPassphrase = computed(() => (lastChoices.value.wifiSsid ? benchWifi.passphraseFor(lastChoices.value.wifiSsid) : ''))
  const byRunId = new Map<string, OnboardingFlow>()

  /** Shows the flow for `portPath` (a new one starts from the last choices). */
  function open(portPath: string): OnboardingFlow {
    const existing = flows.get(portPath)
    if (existing) return existing
    flows.set(portPath, {
      portPath,
      choices: { ...lastChoices.value },
      wifiPassphrase: lastPassphrase.value ?? '',
      runId: null,
      running: false,
      steps: freshSteps(),
      failure: null,
      undo: [],
      outcome: null,
      result: null,
      error: null,
      totalMs: 0
    })
    return flows.get(portPath)!
  }

  /** Closes the panel; a running flow stays (it cannot be stopped half-way without its undo). */
  function dismiss(portPath: string): void {
    if (!flows.get(portPath)?.running) flows.delete(portPath)
  }

  async function start(portPath: string): Promise<void> {
    const flow = open(portPath)
    if (flow.running) return
    const runId = crypto.randomUUID()
    const choices = { policyName: flow.choices.policyName.trim(), thingGroup: flow.choices.thingGroup.trim(), wifiSsid: flow.choices.wifiSsid.trim() }
    Object.assign(flow, { choices, runId, running: true, steps: freshSteps(), failure: null, undo: [], outcome: null, result: null, error: null, totalMs: 0 })
    remembered.value = { ...choices }
    if (choices.wifiSsid) benchWifi.remember({ ssid: choices.wifiSsid, passphrase: flow.wifiPassphrase })
    portOffers.taken(portPath)
    byRunId.set(runId, flow)
    const started = performance.now()
    try {
      flow.result = await api.call('onboarding.expressLink', {
        portPath,
        runId,
        ...(choices.policyName ? { policyName: choices.policyName } : {}),
        ...(choices.thingGroup ? { thingGroup: choices.thingGroup } : {}),
        ...(choices.wifiSsid ? { wifi: { ssid: choices.wifiSsid, passphrase: flow.wifiPassphrase } } : {})
      })
      flow.outcome = 'onboarded'
      portOffers.learned('expressLink')
    } catch (error) {
      flow.error = error
    } finally {
      flow.totalMs = performance.now() - started
      flow.running = false
      byRunId.delete(runId)
      portOffers.released(portPath)
    }
  }

  function progressed(p: OnboardingProgress): void {
    const flow = byRunId.get(p.runId)
    if (!flow) return
    switch (p.phase) {
      case 'step': {
        const row = flow.steps.find((s) => s.step === p.step)
        if (row) Object.assign(row, { status: p.status, detail: p.detail ?? '' })
        break
      }
      case 'failed': {
        flow.failure = { step: p.step, errorName: p.errorName, message: p.message }
        const row = flow.steps.find((s) => s.step === p.step)
        if (row) Object.assign(row, { status: 'failed', detail: '' })
        break
      }
      case 'undo': {
        const row = flow.undo.find((u) => u.action === p.action)
        if (row) Object.assign(row, { status: p.status, detail: p.detail ?? '' })
        else flow.undo.push({ action: p.action, status: p.status, detail: p.detail ?? '' })
        break
      }
      case 'finished':
        flow.outcome = p.outcome
        break
    }
  }

  /** One click: onboard the offered port with the last choices (`passphrase`: asked on the offer when this window does not know it). */
  async function acceptOffer(portPath: string, passphrase?: string): Promise<void> {
    const flow = open(portPath)
    if (!flow.running) Object.assign(flow, { choices: { ...lastChoices.value }, wifiPassphrase: passphrase ?? lastPassphrase.value ?? '' })
    await start(portPath)
  }

  const stops = [api.on('onboarding.progress', progressed)]
  onScopeDispose(() => stops.forEach((stop) => stop()))

  return { flows, lastChoices, lastPassphrase, open, dismiss, start, acceptOffer }
})
