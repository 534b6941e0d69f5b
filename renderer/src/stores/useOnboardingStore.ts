import { defineStore } from 'pinia'
import { onScopeDispose, reactive, ref } from 'vue'
import { onboardingSteps, type ExpressLinkOnboardingResult, type OnboardingProgress, type OnboardingStep } from '@contract/onboarding'
import { useApi } from '../api/useApi'
import { rememberedRef } from './support/remembered'

// ExpressLink onboarding from the Serial view: one flow per port, each independent (a bench
// onboards several boards at once), fed by onboarding.progress matched on its runId. The policy and
// group last used are remembered, and a port that appears after the first onboarding is offered
// "Provision this device" with them: many boards in a row, one click each.

export type FlowStepStatus = 'pending' | 'started' | 'done' | 'skipped' | 'failed'

export interface OnboardingChoices {
  /** Empty: the shared default policy. */
  policyName: string
  /** Empty: no group. */
  thingGroup: string
}

export interface OnboardingFlow {
  portPath: string
  choices: OnboardingChoices
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

const isChoices = (v: unknown): v is OnboardingChoices =>
  typeof v === 'object' && v !== null && typeof (v as OnboardingChoices).policyName === 'string' && typeof (v as OnboardingChoices).thingGroup === 'string'
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean'

function freshSteps(): OnboardingFlow['steps'] {
  return onboardingSteps.map((step) => ({ step, status: 'pending' as const, detail: '' }))
}

export const useOnboardingStore = defineStore('onboarding', () => {
  const api = useApi()

  /** By port path, in the order they were opened. */
  const flows = reactive(new Map<string, OnboardingFlow>())
  const lastChoices = rememberedRef<OnboardingChoices>('onboarding.lastChoices', { policyName: '', thingGroup: '' }, isChoices)
  /** Set once a module was onboarded here: only then do new ports get the offer. */
  const hasOnboarded = rememberedRef<boolean>('onboarding.hasOnboarded', false, isBoolean)
  /** Ports that appeared since, offered "Provision this device". */
  const offers = ref<string[]>([])
  const byRunId = new Map<string, OnboardingFlow>()

  /** Shows the flow for `portPath` (a new one starts from the last choices). */
  function open(portPath: string): OnboardingFlow {
    const existing = flows.get(portPath)
    if (existing) return existing
    flows.set(portPath, {
      portPath,
      choices: { ...lastChoices.value },
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
    const choices = { policyName: flow.choices.policyName.trim(), thingGroup: flow.choices.thingGroup.trim() }
    Object.assign(flow, { choices, runId, running: true, steps: freshSteps(), failure: null, undo: [], outcome: null, result: null, error: null, totalMs: 0 })
    lastChoices.value = { ...choices }
    offers.value = offers.value.filter((p) => p !== portPath)
    byRunId.set(runId, flow)
    const started = performance.now()
    try {
      flow.result = await api.call('onboarding.expressLink', {
        portPath,
        runId,
        ...(choices.policyName ? { policyName: choices.policyName } : {}),
        ...(choices.thingGroup ? { thingGroup: choices.thingGroup } : {})
      })
      flow.outcome = 'onboarded'
      hasOnboarded.value = true
    } catch (error) {
      flow.error = error
    } finally {
      flow.totalMs = performance.now() - started
      flow.running = false
      byRunId.delete(runId)
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

  /** One click: onboard the offered port with the last choices. */
  async function acceptOffer(portPath: string): Promise<void> {
    const flow = open(portPath)
    if (!flow.running) flow.choices = { ...lastChoices.value }
    await start(portPath)
  }

  function dismissOffer(portPath: string): void {
    offers.value = offers.value.filter((p) => p !== portPath)
  }

  function portsChanged(added: string[], removed: string[]): void {
    const fresh = hasOnboarded.value ? added.filter((p) => !flows.get(p)?.running && !offers.value.includes(p)) : []
    offers.value = [...offers.value.filter((p) => !removed.includes(p)), ...fresh]
  }

  const stops = [api.on('onboarding.progress', progressed), api.on('serial.portsChanged', ({ added, removed }) => portsChanged(added, removed))]
  onScopeDispose(() => stops.forEach((stop) => stop()))

  return { flows, lastChoices, hasOnboarded, offers, open, dismiss, start, acceptOffer, dismissOffer }
})
