import { defineStore } from 'pinia'
import { computed, reactive, ref, watch } from 'vue'
import type { ThingDetails } from '@contract/api'
import { ApiError } from '@contract/bridge'
import type { CertificateView, ExportedBundle, PlanPreview, PlanProblemView, ProvisionOutcome } from '@contract/api'
import type { ProvisionProgress, ProvisionStep } from '@contract/provisioning'
import { provisionStepSchema } from '@contract/provisioning'
import { useApi } from '../api/useApi'
import {
  attributeProblems,
  deviceIsValid,
  emptyDraft,
  groupsProblem,
  planFromDraft,
  policyChoiceProblem,
  thingNameProblem,
  type PlanDraft
} from './support/planDraft'

export const wizardSteps = ['device', 'identity', 'policy', 'groups', 'review', 'run', 'done'] as const
export type WizardStep = (typeof wizardSteps)[number]

export type RunStepStatus = 'pending' | 'started' | 'done' | 'skipped' | 'failed'
export interface RunStepState {
  step: ProvisionStep
  status: RunStepStatus
  detail?: string
}
export interface LiveUndoAction {
  action: string
  status: 'started' | 'done' | 'failed' | 'skipped'
  detail?: string
}

/**
 * The provisioning wizard: the plan draft, the current step, the preview of the AWS calls, and a
 * run (its progress as it streams in, and its outcome). "Provision next device" keeps every choice.
 */
export const useProvisioningStore = defineStore('provisioning', () => {
  const api = useApi()

  // ---- the draft and where the user is ------------------------------------------------------
  const draft = reactive<PlanDraft>(emptyDraft())
  let nextAttributeId = 1
  const stepIndex = ref(0)
  const step = computed<WizardStep>(() => wizardSteps[stepIndex.value]!)

  // ---- device: does a thing of this name exist already (and what does it have)? -------------
  const thingLookup = reactive({ thingName: null as string | null, existing: null as ThingDetails | null, checking: false, error: null as unknown })
  let thingLookupRequest = 0

  // ---- identity: the existing certificate as the back end reads it --------------------------
  const certificateInfo = ref<CertificateView | null>(null)
  const certificateError = ref<unknown>(null)
  const inspectingCertificate = ref(false)
  let certificateRequest = 0

  // ---- policy document: checked by the back end (JSON with line and column, then AWS's rules) ----
  const documentCheck = reactive({ document: null as string | null, problem: null as string | null, checking: false })
  let documentRequest = 0

  // ---- review and run -----------------------------------------------------------------------
  const preview = ref<PlanPreview | null>(null)
  const planProblems = ref<PlanProblemView[]>([])
  const previewError = ref<unknown>(null)
  const previewing = ref(false)

  const run = reactive({
    runId: null as string | null,
    running: false,
    cancelling: false,
    progress: [] as ProvisionProgress[],
    outcome: null as ProvisionOutcome | null,
    error: null as unknown
  })

  /** The provisioned thing was looked for again and is no longer in the registry (deprovisioned since). */
  const thingGone = ref(false)
  const exported = ref<ExportedBundle | null>(null)
  const exportError = ref<unknown>(null)
  const exporting = ref(false)

  // ---- what the draft means -------------------------------------------------------------------
  const plan = computed(() => planFromDraft(draft))
  const nameProblem = computed(() => thingNameProblem(draft))
  const attributeCheck = computed(() => attributeProblems(draft))
  const policyProblem = computed(() => {
    const choice = policyChoiceProblem(draft)
    if (choice || draft.policy.mode !== 'document') return choice
    if (documentCheck.document !== draft.policy.document) return null // being checked
    return documentCheck.problem
  })
  const documentChecked = computed(() => draft.policy.mode !== 'document' || (documentCheck.document === draft.policy.document && !documentCheck.checking))

  const canGoNext = computed(() => {
    switch (step.value) {
      case 'device':
        return deviceIsValid(draft) && thingLookupAllows.value
      case 'identity':
        return draft.identity.mode !== 'existing' || (certificateInfo.value !== null && !inspectingCertificate.value)
      case 'policy':
        return policyProblem.value === null && documentChecked.value
      case 'groups':
        return groupsProblem(draft) === null
      case 'run':
        return run.outcome?.outcome === 'provisioned'
      default:
        return false
    }
  })
  /** The name was looked up, and is new or the user chose to add a certificate to the existing thing. */
  const thingLookupAllows = computed(
    () => thingLookup.thingName === draft.thingName && !thingLookup.checking && (thingLookup.existing === null || draft.addCertificateToExistingThing)
  )
  const canRun = computed(() => step.value === 'review' && preview.value !== null && !previewing.value)

  // ---- navigation -------------------------------------------------------------------------------
  async function next(): Promise<void> {
    if (!canGoNext.value) return
    stepIndex.value++
    if (step.value === 'review') await loadPreview()
  }

  function back(): void {
    if (run.running || stepIndex.value === 0) return
    // From a finished run, "back" returns to the review to fix the plan and try again.
    stepIndex.value = step.value === 'run' || step.value === 'done' ? wizardSteps.indexOf('review') : stepIndex.value - 1
    if (step.value === 'review') void loadPreview()
  }

  /** Back to an earlier step (e.g. to fix a problem the review found). */
  function goTo(target: WizardStep): void {
    const index = wizardSteps.indexOf(target)
    if (run.running || index >= stepIndex.value || index >= wizardSteps.indexOf('run')) return
    stepIndex.value = index
  }

  // ---- device -----------------------------------------------------------------------------------
  function addAttribute(): void {
    draft.attributes.push({ id: nextAttributeId++, name: '', value: '' })
  }

  function removeAttribute(id: number): void {
    const index = draft.attributes.findIndex((row) => row.id === id)
    if (index >= 0) draft.attributes.splice(index, 1)
  }

  /** Asks the back end whether the thing exists; a name AWS would refuse is not looked up. */
  async function lookUpThing(): Promise<void> {
    const thingName = draft.thingName
    const request = ++thingLookupRequest
    Object.assign(thingLookup, { thingName: null, existing: null, error: null, checking: thingNameProblem(draft) === null })
    if (!thingLookup.checking) return
    let existing: ThingDetails | null = null
    let error: unknown = null
    try {
      existing = await api.call('things.describe', { thingName })
    } catch (e) {
      // Not found is the usual answer: the name is free.
      if (!(e instanceof ApiError && e.errorName === 'ResourceNotFoundException')) error = e
    }
    if (request !== thingLookupRequest) return
    Object.assign(thingLookup, { thingName, existing, error, checking: false })
  }
  // Looked up as the user types, a moment after the last key.
  let lookupTimer: ReturnType<typeof setTimeout> | undefined
  watch(
    () => draft.thingName,
    () => {
      clearTimeout(lookupTimer)
      thingLookupRequest++
      draft.addCertificateToExistingThing = false
      Object.assign(thingLookup, { existing: null, error: null, checking: true })
      lookupTimer = setTimeout(() => void lookUpThing(), 250)
    },
    { immediate: true }
  )

  // ---- identity -----------------------------------------------------------------------------------
  /**
   * Has the back end read a certificate file the user chose: what the file input read (browser), or
   * the native dialog's pick. The draft keeps only the certificate blocks the back end returns; a
   * private key in the file stays in the back end, and the draft only learns that it is there.
   */
  async function chooseCertificate(read: { text: string; fileName: string } | 'dialog'): Promise<'unsupported' | undefined> {
    const request = ++certificateRequest
    // A cancelled dialog keeps the earlier choice; a file the input read replaces it at once.
    if (read !== 'dialog') {
      resetCertificate()
      draft.identity.certificateSource = read.fileName
    }
    inspectingCertificate.value = true
    try {
      const picked = read === 'dialog' ? await api.call('files.pickCertificate', {}) : await api.call('files.readCertificate', read)
      if ('unsupported' in picked) return 'unsupported'
      if (request !== certificateRequest || 'cancelled' in picked) return undefined
      resetCertificate()
      draft.identity.certificateSource = picked.source
      draft.identity.certificatePem = picked.certificatePem
      draft.identity.holdsPrivateKey = picked.holdsPrivateKey
      certificateInfo.value = picked.certificate
    } catch (e) {
      if (request === certificateRequest) {
        resetCertificate()
        if (read === 'dialog') draft.identity.certificateSource = 'The chosen file'
        certificateError.value = e
      }
    } finally {
      if (request === certificateRequest) inspectingCertificate.value = false
    }
    return undefined
  }

  function resetCertificate(): void {
    draft.identity.certificatePem = ''
    draft.identity.holdsPrivateKey = false
    draft.identity.keepPrivateKey = false
    certificateInfo.value = null
    certificateError.value = null
  }

  function clearCertificate(): void {
    certificateRequest++
    resetCertificate()
    draft.identity.certificateSource = ''
    inspectingCertificate.value = false
  }

  // ---- policy -------------------------------------------------------------------------------------
  async function checkPolicyDocument(): Promise<void> {
    const document = draft.policy.document
    const request = ++documentRequest
    const settle = (problem: string | null) => {
      if (request !== documentRequest) return
      documentCheck.document = document
      documentCheck.problem = problem
      documentCheck.checking = false
    }
    if (!document.trim()) return settle('Write a policy document')
    documentCheck.checking = true
    try {
      settle((await api.call('policies.checkDocument', { document })).problem)
    } catch (e) {
      settle(e instanceof Error ? e.message : String(e))
    }
  }

  // ---- review ---------------------------------------------------------------------------------------
  async function loadPreview(): Promise<void> {
    previewing.value = true
    preview.value = null
    planProblems.value = []
    previewError.value = null
    try {
      const answer = await api.call('provisioning.preview', { plan: plan.value })
      if (answer.ok) preview.value = answer.preview
      else planProblems.value = answer.problems
    } catch (e) {
      previewError.value = e
    } finally {
      previewing.value = false
    }
  }

  // ---- run ------------------------------------------------------------------------------------------
  function resetRun(): void {
    Object.assign(run, { runId: null, running: false, cancelling: false, progress: [], outcome: null, error: null })
    exported.value = null
    exportError.value = null
    thingGone.value = false
  }

  async function startRun(): Promise<void> {
    if (!canRun.value || run.running) return
    resetRun()
    const runId = crypto.randomUUID()
    Object.assign(run, { runId, running: true })
    stepIndex.value = wizardSteps.indexOf('run')
    const stop = api.on('provisioning.progress', (progress) => {
      if (progress.runId === runId) run.progress.push(progress)
    })
    try {
      // Stays on the run, every step's result in view, until the user goes on to Done.
      run.outcome = await api.call('provisioning.run', { plan: plan.value, runId })
    } catch (e) {
      run.error = e
    } finally {
      stop()
      run.running = false
      run.cancelling = false
    }
  }

  async function cancelRun(): Promise<void> {
    if (!run.running || !run.runId || run.cancelling) return
    run.cancelling = true
    try {
      const { cancelled } = await api.call('provisioning.cancel', { runId: run.runId })
      if (!cancelled) run.cancelling = false
    } catch (e) {
      run.cancelling = false
      run.error = e
    }
  }

  /** Each step of a run with its latest status, in execution order. */
  const runSteps = computed<RunStepState[]>(() => {
    const states = new Map<ProvisionStep, RunStepState>(provisionStepSchema.options.map((s) => [s, { step: s, status: 'pending' }]))
    for (const p of run.progress) {
      if (p.phase === 'step') states.set(p.step, { step: p.step, status: p.status, ...(p.detail ? { detail: p.detail } : {}) })
      if (p.phase === 'failed') states.set(p.step, { step: p.step, status: 'failed', detail: `${p.errorName}: ${p.message}` })
    }
    return [...states.values()]
  })

  /** The undo as it happens (from progress), then as the outcome reports it. */
  const undoActions = computed<LiveUndoAction[]>(() => {
    if (run.outcome?.outcome === 'failed') return run.outcome.undo.actions
    const actions = new Map<string, LiveUndoAction>()
    for (const p of run.progress) if (p.phase === 'undo') actions.set(p.action, { action: p.action, status: p.status, ...(p.detail ? { detail: p.detail } : {}) })
    return [...actions.values()]
  })

  const result = computed(() => (run.outcome?.outcome === 'provisioned' ? run.outcome.result : null))

  // ---- done -------------------------------------------------------------------------------------------
  const isNotFound = (e: unknown) => e instanceof ApiError && e.errorName === 'ResourceNotFoundException'

  /** Looks the provisioned thing up again: the Done page must not claim a thing deprovisioned since. */
  async function recheckProvisioned(): Promise<void> {
    const provisioned = result.value
    if (!provisioned) return
    try {
      await api.call('things.describe', { thingName: provisioned.thingName })
      if (result.value === provisioned) thingGone.value = false
    } catch (e) {
      // Another failure (connection) says nothing about the thing: the page keeps what it knew.
      if (result.value === provisioned && isNotFound(e)) thingGone.value = true
    }
  }

  const goneMessage = (thingName: string) =>
    `${thingName} is no longer in the registry (it was deprovisioned since this run), so there is no certificate to export. Provision it again for a new bundle.`

  async function exportBundle(): Promise<void> {
    const provisioned = result.value
    if (!provisioned) return
    await recheckProvisioned()
    if (thingGone.value) {
      exported.value = null
      exportError.value = new Error(goneMessage(provisioned.thingName))
      return
    }
    exporting.value = true
    exported.value = null
    exportError.value = null
    try {
      const answer = await api.call('provisioning.exportBundle', { certificateId: provisioned.certificateId, thingName: provisioned.thingName })
      if (!('cancelled' in answer)) exported.value = answer
    } catch (e) {
      exportError.value = isNotFound(e) ? new Error(goneMessage(provisioned.thingName)) : e
      if (isNotFound(e)) thingGone.value = true
    } finally {
      exporting.value = false
    }
  }

  /** The same choices for the next device: only its name (and its own certificate) is new. */
  function provisionNext(): void {
    if (run.running) return
    draft.thingName = ''
    if (draft.identity.mode === 'existing') clearCertificate()
    resetRun()
    preview.value = null
    planProblems.value = []
    previewError.value = null
    stepIndex.value = 0
  }

  return {
    draft,
    stepIndex,
    step,
    plan,
    nameProblem,
    attributeCheck,
    policyProblem,
    documentCheck,
    canGoNext,
    canRun,
    next,
    back,
    goTo,
    addAttribute,
    removeAttribute,
    thingLookup,
    lookUpThing,
    certificateInfo,
    certificateError,
    inspectingCertificate,
    chooseCertificate,
    clearCertificate,
    checkPolicyDocument,
    preview,
    planProblems,
    previewError,
    previewing,
    loadPreview,
    run,
    runSteps,
    undoActions,
    result,
    startRun,
    cancelRun,
    exported,
    exportError,
    exporting,
    exportBundle,
    thingGone,
    recheckProvisioned,
    provisionNext
  }
})
