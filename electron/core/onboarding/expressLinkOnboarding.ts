import { randomUUID } from 'node:crypto'
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DescribeCertificateCommand,
  DescribeThingCommand,
  GetPolicyCommand,
  ListAttachedPoliciesCommand,
  ListThingGroupsForThingCommand,
  ListThingPrincipalsCommand,
  RegisterCertificateWithoutCACommand,
  UpdateCertificateCommand,
  type IoTClient
} from '@aws-sdk/client-iot'
import type { Connection, ProvisionProgress } from '../../contract'
import { defaultExpressLinkPolicyName, type ExpressLinkOnboardingResult, type OnboardingProgress, type OnboardingStep } from '../../contract/onboarding'
import type { WifiSettings } from '../../contract/serial'
import { parseCertificate } from '../certificates'
import { policyVarsFromArn, renderPolicyTemplate } from '../policies/templates'
import type { ExpressLinkDriver } from '../serial/drivers/expresslink'
import type { Vault } from '../vault'
import { readOrUndefined } from '../provisioning/awsCalls'
import { errorNameAndMessage, LocalStepError, type UndoOutcome } from '../provisioning/errors'
import { findRegisteredCertificate } from '../provisioning/findCertificate'
import type { Journal, JournalRun } from '../provisioning/journal'
import { journaledWrite } from '../provisioning/runContext'
import { undoRun } from '../provisioning/undo'

// The ExpressLink technician flow (research/expresslink.md §12.2) as one run. The AWS writes go
// through the provisioning engine's machinery, not a copy of it: each is a journaledWrite on a
// JournalRun of the same Journal (so a crash mid-flow is undone by recoverInterruptedRuns at the next
// start, like a wizard run), and a failure undoes them with the engine's undoRun, newest first. The
// module's own settings (endpoint, connection) are no AWS resources and have no journal kind: they
// are put back here, before the AWS undo.

export interface ExpressLinkOnboardingRequest {
  /** host:port of the account's IoT data endpoint (DescribeEndpoint iot:Data-ATS). */
  endpoint: string
  /** The CA the module must trust for that endpoint; left as the module has it (Amazon's roots) when absent. */
  rootCaPem?: string
  /** An existing policy to attach; when it does not exist it is created from the template under that name. */
  policyName?: string
  thingGroup?: string
  /** The Wi-Fi network a Wi-Fi module joins (research §12.2 step 10); absent: the module keeps its own. */
  wifi?: WifiSettings
}

export interface ExpressLinkOnboardingContext {
  iot: IoTClient
  vault: Vault
  journal: Journal
  connection: Connection
  driver: ExpressLinkDriver
  /** Awaited, as the wizard's: the flow goes on when it returns. */
  onProgress?: (p: OnboardingProgress) => void | Promise<void>
  runId?: string
}

export class OnboardingError extends Error {
  constructor(
    readonly step: OnboardingStep,
    readonly errorName: string,
    readonly reason: string,
    readonly undo: UndoOutcome,
    readonly runId: string
  ) {
    const left = undo.complete ? 'everything this run created was undone' : `not everything could be undone: ${undo.leftBehind.join('; ')}`
    super(`ExpressLink onboarding failed at step ${step} (${errorName}): ${reason}. ${left}`)
    this.name = 'OnboardingError'
  }
}

export { defaultExpressLinkPolicyName }
const policyTemplate = 'shadow-jobs' // what the module needs for its reserved topics: shadow and jobs, its own only

type Outcome = { done: string } | { skipped: string }

export async function onboardExpressLink(request: ExpressLinkOnboardingRequest, ctx: ExpressLinkOnboardingContext): Promise<ExpressLinkOnboardingResult> {
  const { iot, driver } = ctx
  const runId = ctx.runId ?? randomUUID()
  const emit = async (p: OnboardingProgress): Promise<void> => {
    try {
      await ctx.onProgress?.(p)
    } catch {
      // The listener's problem (a closed window, say) is not the run's.
    }
  }
  const reused: string[] = []
  let moduleMs = 0
  const onModule = async <T>(call: () => Promise<T>): Promise<T> => {
    const started = performance.now()
    try {
      return await call()
    } finally {
      moduleMs += performance.now() - started
    }
  }
  let current: OnboardingStep = 'identify'
  const step = async (name: OnboardingStep, body: () => Promise<Outcome>): Promise<void> => {
    current = name
    await emit({ runId, phase: 'step', step: name, status: 'started' })
    const outcome = await body()
    if ('skipped' in outcome) await emit({ runId, phase: 'step', step: name, status: 'skipped', detail: outcome.skipped })
    else await emit({ runId, phase: 'step', step: name, status: 'done', detail: outcome.done })
  }

  // Undo of the module's settings, newest first; the AWS writes are in the journal.
  const moduleUndo: { action: string; run: () => Promise<void> }[] = []
  let run: JournalRun | undefined

  try {
    let thingName = ''
    let previousEndpoint = ''
    let wasConnected = false
    await step('identify', async () => {
      const identity = await onModule(() => driver.identify())
      thingName = identity.thingName
      previousEndpoint = identity.endpoint
      wasConnected = identity.connected
      if (!thingName) throw new LocalStepError('ModuleHasNoThingName', 'the module answered AT+CONF? ThingName with nothing: it is not an ExpressLink module, or not a working one')
      return { done: `${identity.about} ${identity.version}, ThingName ${thingName}` }
    })
    run = await ctx.journal.begin({ runId, thingName, connection: ctx.connection })
    const journal = run

    let certificatePem = ''
    await step('readCertificate', async () => {
      certificatePem = await onModule(() => driver.readCertificate())
      return { done: 'the module certificate (its private key stays in the module)' }
    })

    let certificateId = ''
    let certificateArn = ''
    await step('registerCertificate', async () => {
      const sha256 = parseCertificate(certificatePem, 'The certificate the module returned').certificateId
      const existing = await registeredCertificate(iot, sha256)
      if (existing) {
        certificateId = existing.certificateId
        certificateArn = existing.certificateArn
        if (existing.status === 'ACTIVE') {
          reused.push(`certificate ${certificateId}`)
          return { skipped: `already registered as ${certificateId} (ACTIVE): reused` }
        }
        if (existing.status !== 'INACTIVE')
          throw new LocalStepError('CertificateStateException', `the module's certificate is registered as ${certificateId} with status ${existing.status}: ThingBench activates only INACTIVE certificates; delete it or give the module a new certificate`)
      } else {
        // Registered INACTIVE, then activated: a crash between the two leaves a certificate that cannot connect.
        const out = await journaledWrite(
          journal,
          'createCertificate',
          { kind: 'certificate', via: 'existing', certificateSha256: sha256 },
          () => iot.send(new RegisterCertificateWithoutCACommand({ certificatePem, status: 'INACTIVE' })),
          (o) => ({ kind: 'certificate', via: 'existing', certificateId: o.certificateId, certificateArn: o.certificateArn })
        )
        if (!out.certificateId || !out.certificateArn) throw new LocalStepError('InternalFailureException', 'RegisterCertificateWithoutCA answered without the certificate id or ARN')
        certificateId = out.certificateId
        certificateArn = out.certificateArn
      }
      await journaledWrite(journal, 'activateCertificate', { kind: 'activateCertificate', certificateId }, () =>
        iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'ACTIVE' }))
      )
      return { done: `${certificateId} (ACTIVE)` }
    })

    await step('createThing', async () => {
      if (await readOrUndefined(() => iot.send(new DescribeThingCommand({ thingName })))) {
        reused.push(`thing ${thingName}`)
        return { skipped: `thing ${thingName} exists: reused` }
      }
      await journaledWrite(journal, 'createThing', { kind: 'thing', thingName }, () => iot.send(new CreateThingCommand({ thingName })))
      return { done: thingName }
    })

    await step('attachThing', async () => {
      const principals = await iot.send(new ListThingPrincipalsCommand({ thingName }))
      if (principals.principals?.includes(certificateArn)) {
        reused.push(`attachment of ${certificateId} to ${thingName}`)
        return { skipped: 'the certificate is already attached to the thing' }
      }
      await journaledWrite(journal, 'attachThingPrincipal', { kind: 'attachThingPrincipal', thingName, principal: certificateArn }, () =>
        iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn }))
      )
      return { done: `${certificateId} -> ${thingName}` }
    })

    const policyName = request.policyName ?? defaultExpressLinkPolicyName
    await step('createPolicy', async () => {
      if (await readOrUndefined(() => iot.send(new GetPolicyCommand({ policyName })))) {
        reused.push(`policy ${policyName}`)
        return { skipped: `policy ${policyName} exists: attached as it is` }
      }
      const policyDocument = renderPolicyTemplate(policyTemplate, policyVarsFromArn(certificateArn))
      try {
        await journaledWrite(journal, 'createPolicy', { kind: 'policy', policyName }, () => iot.send(new CreatePolicyCommand({ policyName, policyDocument })))
      } catch (err) {
        // A bench onboarding several boards at once: another run made the shared policy meanwhile.
        // The refused write is not journaled as done, so this run's undo never deletes that policy.
        if (errorNameAndMessage(err).errorName !== 'ResourceAlreadyExistsException') throw err
        reused.push(`policy ${policyName}`)
        return { skipped: `policy ${policyName} was made meanwhile by another onboarding: attached as it is` }
      }
      return { done: `${policyName} from the ${policyTemplate} template` }
    })

    await step('attachPolicy', async () => {
      const attached = await iot.send(new ListAttachedPoliciesCommand({ target: certificateArn }))
      if (attached.policies?.some((p) => p.policyName === policyName)) {
        reused.push(`attachment of ${policyName}`)
        return { skipped: `${policyName} is already attached to the certificate` }
      }
      await journaledWrite(journal, 'attachPolicy', { kind: 'attachPolicy', policyName, target: certificateArn }, () =>
        iot.send(new AttachPolicyCommand({ policyName, target: certificateArn }))
      )
      return { done: `${policyName} -> ${certificateId}` }
    })

    await step('addToGroup', async () => {
      const groupName = request.thingGroup
      if (!groupName) return { skipped: 'no thing group asked for' }
      const groups = await iot.send(new ListThingGroupsForThingCommand({ thingName }))
      if (groups.thingGroups?.some((g) => g.groupName === groupName)) {
        reused.push(`membership of ${groupName}`)
        return { skipped: `already in ${groupName}` }
      }
      await journaledWrite(journal, 'addToGroups', { kind: 'addToGroup', thingName, groupName }, () =>
        iot.send(new AddThingToThingGroupCommand({ thingName, thingGroupName: groupName }))
      )
      return { done: groupName }
    })

    await step('setEndpoint', async () => {
      const settings: Record<string, string> = { Endpoint: request.endpoint, ...(request.rootCaPem ? { RootCA: request.rootCaPem } : {}) }
      // The endpoint can be read back and is put back on failure; RootCA cannot be read back and stays.
      if (previousEndpoint !== request.endpoint)
        moduleUndo.push({ action: `AT+CONF Endpoint=${previousEndpoint}`, run: () => driver.configure({ Endpoint: previousEndpoint }) })
      await onModule(() => driver.configure(settings))
      return { done: request.endpoint }
    })

    await step('setWifi', async () => {
      const wifi = request.wifi
      if (!wifi) return { skipped: 'no Wi-Fi network given: the module keeps its own network settings' }
      // SSID can be read back and is put back on failure; Passphrase is write-only (ERR13) and stays.
      const previousSsid = await onModule(() => driver.read('SSID'))
      if (previousSsid !== wifi.ssid) moduleUndo.push({ action: `AT+CONF SSID=${previousSsid}`, run: () => driver.configure({ SSID: previousSsid }) })
      // The channel's traffic log shows "Passphrase=[not shown]"; no progress detail names it either.
      await onModule(() => driver.configure({ SSID: wifi.ssid, Passphrase: wifi.passphrase }))
      return { done: `SSID ${wifi.ssid}, ${wifi.passphrase ? `passphrase of ${wifi.passphrase.length} characters (not shown)` : 'no passphrase (an open network)'}` }
    })

    await step('connect', async () => {
      if (wasConnected && previousEndpoint === request.endpoint && !request.wifi) {
        reused.push('module connection')
        return { skipped: 'the module is already connected to this endpoint' }
      }
      if (wasConnected) await onModule(() => driver.disconnect())
      moduleUndo.push({ action: 'AT+DISCONNECT', run: () => driver.disconnect() })
      await onModule(() => driver.connect())
      return { done: `connected to ${request.endpoint} as ${thingName}` }
    })

    let shadow: unknown
    await step('verifyShadow', async () => {
      const marker = { thingbench: { onboardedAt: new Date().toISOString() } }
      await onModule(() => driver.initShadow())
      const update = await onModule(() => driver.updateShadow({ state: { reported: marker } }))
      if (!update.accepted) throw new LocalStepError('ShadowUpdateRejected', `AWS rejected the module's shadow update: ${JSON.stringify(update.document)}`)
      const read = await onModule(() => driver.getShadow())
      const reported = (read.document as { state?: { reported?: { thingbench?: unknown } } } | undefined)?.state?.reported?.thingbench
      if (!read.accepted || JSON.stringify(reported) !== JSON.stringify(marker.thingbench))
        throw new LocalStepError('ShadowMismatch', `the module read back a shadow without the update it had just made: ${JSON.stringify(read.document)}`)
      shadow = read.document
      return { done: 'update accepted and read back through the module' }
    })

    await journal.finish()
    await emit({ runId, phase: 'finished', outcome: 'onboarded' })
    return { runId, thingName, certificateId, certificateArn, policyName, ...(request.thingGroup ? { thingGroup: request.thingGroup } : {}), endpoint: request.endpoint, ...(request.wifi ? { wifiSsid: request.wifi.ssid } : {}), reused, shadow, moduleMs }
  } catch (err) {
    const { errorName, message } = errorNameAndMessage(err)
    await emit({ runId, phase: 'failed', step: current, errorName, message })
    const leftOnModule: string[] = []
    for (const undo of moduleUndo.reverse()) {
      await emit({ runId, phase: 'undo', action: undo.action, status: 'started' })
      try {
        await undo.run()
        await emit({ runId, phase: 'undo', action: undo.action, status: 'done' })
      } catch (undoErr) {
        const detail = errorNameAndMessage(undoErr).message
        leftOnModule.push(`${undo.action} on the module failed (${detail})`)
        await emit({ runId, phase: 'undo', action: undo.action, status: 'failed', detail })
      }
    }
    const awsUndo: UndoOutcome = run
      ? await undoRun({ iot, vault: ctx.vault, run, emit: (p: ProvisionProgress) => emit(p as OnboardingProgress) }) // undoRun emits only undo events, the same shape
      : { complete: true, actions: [], leftBehind: [] }
    // The module's settings are not what the user will miss; AWS resources left behind are.
    const undo: UndoOutcome = { ...awsUndo, leftBehind: [...awsUndo.leftBehind, ...leftOnModule.map((l) => `${l}: not an AWS resource, nothing remains in the account`)] }
    undo.complete = awsUndo.complete
    await emit({ runId, phase: 'finished', outcome: 'rolledBack' })
    throw new OnboardingError(current, errorName, message, undo, runId)
  }
}

/** The module's certificate if this account already has it: AWS names it by its SHA-256; other services are searched. */
async function registeredCertificate(iot: IoTClient, sha256: string): Promise<{ certificateId: string; certificateArn: string; status: string } | undefined> {
  let described = await readOrUndefined(() => iot.send(new DescribeCertificateCommand({ certificateId: sha256 })))
  if (!described) {
    const found = await findRegisteredCertificate(iot, sha256, new Date(0))
    if (found) described = await iot.send(new DescribeCertificateCommand({ certificateId: found }))
  }
  const description = described?.certificateDescription
  if (!description?.certificateId || !description.certificateArn) return undefined
  return { certificateId: description.certificateId, certificateArn: description.certificateArn, status: description.status ?? 'UNKNOWN' }
}
