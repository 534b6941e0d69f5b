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
  nextThingName,
  planFromDraft,
  policyChoiceProblem,
  thingNameProblem,
  type PlanDraft
} from './support/planDraft'
import { rememberedRef } from './support/remembered'

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

/** The steps whose choices the user makes (and Next checks); Review, Run and Done follow them. */
type ChoiceStep = 'device' | 'identity' | 'policy' | 'groups'
const isString = (value: unknown): value is string => typeof value === 'string'

/**
 * The provisioning wizard: the plan draft, the current step, the preview of the AWS calls, and a
 * run (its progress as it streams in, and its outcome). "Provision next device" keeps every choice
 * and suggests the next name of the batch (lamp-0042 → lamp-0043).
 */
export const useProvisioningStore = defineStore('provisioning', () => {
  const api = useApi()

  // ---- the draft and where the user is ------------------------------------------------------
  const draft = reactive<PlanDraft>(emptyDraft())
  let nextAttributeId = 1
  const stepIndex = ref(0)
  const step = computed<WizardStep>(() => wizardSteps[stepIndex.value]!)
  /** The user tried to go on from this step while it was not ready: its problem is shown, not only a disabled button. */
  const nextRefused = ref(false)
  watch(stepIndex, () => (nextRefused.value = false))

  /** The last thing provisioned on this machine (kept across restarts): the next name follows from it. */
  const lastThingName = rememberedRef('provisioning.lastThingName', '', isString)
  draft.thingName = lastThingName.value ? (nextThingName(lastThingName.value) ?? '') : ''
  /** Where bundles go: a folder the user chose (native dialog or typed path); '' until then. */
  const exportFolder = rememberedRef('provisioning.exportFolder', '', isString)

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

  /** Why a step's choices cannot go on yet (what Next and Enter say), or null when they can. */
  function stepProblem(choiceStep: ChoiceStep): string | null {
    switch (choiceStep) {
      case 'device':
        if (nameProblem.value) return nameProblem.value
        if (!deviceIsValid(draft)) return attributeCheck.value.overall ?? 'Fix the attributes marked in red, or remove them'
        if (thingLookup.checking || thingLookup.thingName !== draft.thingName) return `Checking whether ${draft.thingName} exists…`
        if (thingLookup.existing && !draft.addCertificateToExistingThing)
          return `${draft.thingName} already exists: choose another name, or tick “Add a certificate to the existing thing”`
        return null
      case 'identity':
        if (draft.identity.mode !== 'existing') return null
        if (inspectingCertificate.value) return 'Reading the certificate file…'
        return certificateInfo.value ? null : 'Choose the certificate file the device already has'
      case 'policy':
        return policyProblem.value ?? (documentChecked.value ? null : 'Checking the policy document…')
      case 'groups':
        return groupsProblem(draft)
    }
  }
  const isChoiceStep = (s: WizardStep): s is ChoiceStep => wizardSteps.indexOf(s) < wizardSteps.indexOf('review')
  /** The current step's problem, when the user tried to go on regardless (shown next to Next). */
  const nextBlockedBy = computed(() => (nextRefused.value && isChoiceStep(step.value) ? stepProblem(step.value) : null))

  const canGoNext = computed(() => isChoiceStep(step.value) && stepProblem(step.value) === null)
  const canRun = computed(() => step.value === 'review' && preview.value !== null && !previewing.value)

  // ---- navigation -------------------------------------------------------------------------------
  /** On to the next step if this one is ready (Next, or Enter); else its problem is shown. True if it moved. */
  async function next(): Promise<boolean> {
    const from = stepIndex.value
    if (!isChoiceStep(step.value)) return false
    if (step.value === 'device') await settleThingLookup()
    // A second Enter while the name was looked up has moved on already.
    if (stepIndex.value !== from || !isChoiceStep(step.value)) return false
    if (stepProblem(step.value) !== null) {
      nextRefused.value = true
      return false
    }
    stepIndex.value++
    if (stepIndex.value === wizardSteps.indexOf('review')) await loadPreview()
    return true
  }

  function back(): void {
    if (run.running || stepIndex.value === 0) return
    // From a finished run, "back" returns to the review to fix the plan and try again.
    stepIndex.value = step.value === 'run' || step.value === 'done' ? wizardSteps.indexOf('review') : stepIndex.value - 1
    if (step.value === 'review') void loadPreview()
  }

  /** A step header can be clicked: the steps before the run, once the plan is not done with (provisioned). */
  const canGoTo = (target: WizardStep) =>
    !run.running && wizardSteps.indexOf(target) <= wizardSteps.indexOf('review') && !(step.value === 'done' || (step.value === 'run' && result.value))

  /**
   * To another step before the run (a step header, "Fix in …"): back at once; forward only through
   * steps that are ready, stopping at the first that is not, with its problem shown.
   */
  async function goTo(target: WizardStep): Promise<void> {
    if (!canGoTo(target)) return
    const index = wizardSteps.indexOf(target)
    if (index < stepIndex.value || !isChoiceStep(step.value)) {
      stepIndex.value = index
      if (step.value === 'review') await loadPreview()
      return
    }
    while (stepIndex.value < index) if (!(await next())) return
  }

  // ---- device -----------------------------------------------------------------------------------
  function addAttribute(): void {
    draft.attributes.push({ id: nextAttributeId++, name: '', value: '' })
  }

  function removeAttribute(id: number): void {
    const index = draft.attributes.findIndex((row) => row.id === id)
    if (index >= 0) draft.attributes.splice(index, 1)
  }

  /** The lookup of the name as typed, now rather than a moment after the last key (Enter right after typing). */
  async function settleThingLookup(): Promise<void> {
    if (thingLookup.thingName === draft.thingName && !thingLookup.checking) return
    clearTimeout(lookupTimer)
    await lookUpThing()
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
    // At once, not before the next render: a name set and Enter pressed in one go looks up that name.
    { immediate: true, flush: 'sync' }
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
      run.outcome = await api.call('provisioning.run', { plan: plan.value, runId })
      // Provisioned: straight on to Done (what the run did is there too); a failure stays in view here.
      if (run.outcome.outcome === 'provisioned') {
        lastThingName.value = run.outcome.result.thingName
        stepIndex.value = wizardSteps.indexOf('done')
      }
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

  /** How the export folder is chosen here: the native dialog (Electron) or a typed path (browser); null until known. */
  const folderChoice = ref<'dialog' | 'path' | null>(null)
  const folderError = ref<unknown>(null)
  async function learnFolderChoice(): Promise<void> {
    if (folderChoice.value) return
    try {
      folderChoice.value = (await api.call('app.info', {})).runtime === 'electron' ? 'dialog' : 'path'
    } catch {
      folderChoice.value = 'path'
    }
  }

  /** The native folder dialog: the folder chosen is remembered. False if cancelled or there is no dialog (then a path is typed). */
  async function chooseExportFolder(): Promise<boolean> {
    folderError.value = null
    try {
      const answer = await api.call('files.chooseExportFolder', exportFolder.value ? { current: exportFolder.value } : {})
      if ('unsupported' in answer) folderChoice.value = 'path'
      if (!('folder' in answer)) return false
      exportFolder.value = answer.folder
      return true
    } catch (e) {
      folderError.value = e
      return false
    }
  }

  /** Writes the bundle into the chosen folder (asking for one first in Electron). True once written. */
  async function exportBundle(): Promise<boolean> {
    const provisioned = result.value
    if (!provisioned) return false
    exported.value = null
    exportError.value = null
    await recheckProvisioned()
    if (thingGone.value) {
      exportError.value = new Error(goneMessage(provisioned.thingName))
      return false
    }
    await learnFolderChoice()
    if (folderChoice.value === 'dialog' && !exportFolder.value && !(await chooseExportFolder())) return false
    const folder = exportFolder.value.trim()
    exporting.value = true
    try {
      const answer = await api.call('provisioning.exportBundle', { certificateId: provisioned.certificateId, thingName: provisioned.thingName, ...(folder ? { folder } : {}) })
      if ('cancelled' in answer) return false
      exported.value = answer
      return true
    } catch (e) {
      exportError.value = isNotFound(e) ? new Error(goneMessage(provisioned.thingName)) : e
      if (isNotFound(e)) thingGone.value = true
      return false
    } finally {
      exporting.value = false
    }
  }

  /**
   * The batch's one move on Done: the bundle exported, then the next device (the next name, every
   * other choice kept) taken as far as the Review, so one more Run provisions it. Stops at the export's
   * error, or at the first step that needs the user (a name that exists, a certificate file to choose).
   */
  async function exportAndProvisionNext(): Promise<void> {
    if (!(await exportBundle())) return
    provisionNext()
    await goTo('review')
  }

  /** The device endpoint of the active connection, for the Done page (where to point the device or MQTTX). */
  const deviceEndpoint = ref<{ host: string; port: number } | null>(null)
  const deviceEndpointError = ref<unknown>(null)
  async function loadDeviceEndpoint(): Promise<void> {
    deviceEndpointError.value = null
    try {
      deviceEndpoint.value = await api.call('connections.deviceEndpoint', {})
    } catch (e) {
      deviceEndpoint.value = null
      deviceEndpointError.value = e
    }
  }

  /** The same choices for the next device: only its name (and its own certificate) is new. */
  function provisionNext(): void {
    if (run.running) return
    draft.thingName = (result.value && nextThingName(result.value.thingName)) ?? ''
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
    nextBlockedBy,
    next,
    back,
    canGoTo,
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
    exportFolder,
    folderChoice,
    folderError,
    learnFolderChoice,
    chooseExportFolder,
    exportAndProvisionNext,
    deviceEndpoint,
    deviceEndpointError,
    loadDeviceEndpoint,
    lastThingName,
    thingGone,
    recheckProvisioned,
    provisionNext
  }
})
