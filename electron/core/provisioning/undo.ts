import {
  DeleteCertificateCommand,
  DeletePolicyCommand,
  DeleteThingCommand,
  DescribeCertificateCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  RemoveThingFromThingGroupCommand,
  UpdateCertificateCommand,
  type IoTClient
} from '@aws-sdk/client-iot'
import type { ProvisionProgress } from '../../contract'
import type { Vault } from '../vault'
import { tolerateNotFound, retryWhile } from './awsCalls'
import { errorNameAndMessage, isNotFound, type UndoActionOutcome, type UndoOutcome } from './errors'
import { findCertificateForKey, findRegisteredCertificate, inactiveCertificatesCreatedSince } from './findCertificate'
import type { JournalAction, JournalEntry, JournalRun } from './journal'

export interface UndoContext {
  iot: IoTClient
  vault: Vault
  run: JournalRun
  emit: (p: ProvisionProgress) => Promise<void>
}

const isVaultAction = (a: JournalAction) => a.kind === 'vaultKey' || a.kind === 'renameVaultKey'
const touchesCertificate = (a: JournalAction) => a.kind === 'certificate' || a.kind === 'activateCertificate'

/**
 * Undoes every journaled write of a run that may have happened, newest first. Each undo is
 * idempotent (a missing resource counts as undone), so a crash during undo is safe to repeat.
 * Vault keys go last, and only once their certificate is gone: no certificate is left without its key.
 * The journal file is removed when nothing needs retrying; otherwise it stays for the next start.
 */
export async function undoRun(ctx: UndoContext): Promise<UndoOutcome> {
  await ctx.run.startUndo()
  const pending = ctx.run.record.entries.filter((e) => e.status === 'intent' || e.status === 'done').reverse()
  const ordered = [...pending.filter((e) => !isVaultAction(e.action)), ...pending.filter((e) => isVaultAction(e.action))]

  const actions: UndoActionOutcome[] = []
  const leftBehind: string[] = []
  let certificateUndoFailed = false
  let retryNeeded = false

  for (const entry of ordered) {
    const label = describeUndo(entry.action)
    if (isVaultAction(entry.action) && certificateUndoFailed) {
      const detail = 'kept: its certificate could not be deleted, and a certificate must not lose its key'
      actions.push({ action: label, status: 'failed', detail })
      leftBehind.push(`${label}: ${detail}`)
      retryNeeded = true
      continue
    }
    await ctx.emit({ runId: ctx.run.runId, phase: 'undo', action: label, status: 'started' })
    try {
      const note = await undoEntry(entry, ctx)
      if (note) leftBehind.push(note)
      await ctx.run.undone(entry.seq)
      actions.push({ action: label, status: 'done', ...(note ? { detail: note } : {}) })
      await ctx.emit({ runId: ctx.run.runId, phase: 'undo', action: label, status: 'done', ...(note ? { detail: note } : {}) })
    } catch (err) {
      const { errorName, message } = errorNameAndMessage(err)
      const detail = `${errorName}: ${message}`
      if (touchesCertificate(entry.action)) certificateUndoFailed = true
      retryNeeded = true
      actions.push({ action: label, status: 'failed', detail })
      leftBehind.push(`${label} failed (${detail})`)
      await ctx.emit({ runId: ctx.run.runId, phase: 'undo', action: label, status: 'failed', detail })
    }
  }

  if (retryNeeded) await ctx.run.abandon()
  else await ctx.run.finish()
  return { complete: leftBehind.length === 0, actions, leftBehind }
}

/** Undoes one entry; returns a note when something could not be identified and remains. */
async function undoEntry(entry: JournalEntry, ctx: UndoContext): Promise<string | undefined> {
  const { iot, vault } = ctx
  const action = entry.action
  switch (action.kind) {
    case 'addToGroup':
      await tolerateNotFound(() => iot.send(new RemoveThingFromThingGroupCommand({ thingName: action.thingName, thingGroupName: action.groupName })))
      return
    case 'attachThingPrincipal':
      await tolerateNotFound(() => iot.send(new DetachThingPrincipalCommand({ thingName: action.thingName, principal: action.principal })))
      return
    case 'attachPolicy':
      await tolerateNotFound(() => iot.send(new DetachPolicyCommand({ policyName: action.policyName, target: action.target })))
      return
    case 'policy':
      // AWS may take a moment after a detach before it lets the policy go.
      await retryWhile('DeleteConflictException', /attached/i, () =>
        tolerateNotFound(() => iot.send(new DeletePolicyCommand({ policyName: action.policyName })))
      )
      return
    case 'thing':
      // DetachThingPrincipal is asynchronous on AWS: DeleteThing may briefly still see the principal.
      await retryWhile('InvalidRequestException', /still attached/i, () =>
        tolerateNotFound(() => iot.send(new DeleteThingCommand({ thingName: action.thingName })))
      )
      return
    case 'activateCertificate':
      await deactivate(iot, action.certificateId)
      return
    case 'certificate': {
      let certificateId = action.certificateId
      if (!certificateId) {
        if (action.via === 'aws') return unidentifiedAwsCertificateNote(iot, entry.at)
        if (action.via === 'existing') {
          if (!action.certificateSha256) return undefined
          certificateId = await findRegisteredCertificate(iot, action.certificateSha256, new Date(entry.at))
        } else {
          const keyPem = await vault.get(ctx.run.runId)
          if (!keyPem) return undefined // the key was never stored, so the CSR was never sent
          certificateId = await findCertificateForKey(iot, keyPem, new Date(entry.at))
        }
        if (!certificateId) return undefined // the call never reached AWS
      }
      await deleteCertificate(iot, certificateId)
      return
    }
    case 'vaultKey':
      if (await vault.has(action.keyId)) await vault.delete(action.keyId)
      return
    case 'renameVaultKey':
      for (const keyId of [action.to, action.from]) if (await vault.has(keyId)) await vault.delete(keyId)
      return
  }
}

async function deactivate(iot: IoTClient, certificateId: string): Promise<void> {
  const status = await certificateStatus(iot, certificateId)
  if (status === 'ACTIVE') await iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }))
}

async function deleteCertificate(iot: IoTClient, certificateId: string): Promise<void> {
  const status = await certificateStatus(iot, certificateId)
  if (status === undefined) return
  // A revoked certificate stays revoked; AWS deletes it as it is.
  if (status === 'ACTIVE') await iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' }))
  await tolerateNotFound(() => iot.send(new DeleteCertificateCommand({ certificateId })))
}

async function certificateStatus(iot: IoTClient, certificateId: string): Promise<string | undefined> {
  try {
    const out = await iot.send(new DescribeCertificateCommand({ certificateId }))
    return out.certificateDescription?.status ?? 'UNKNOWN'
  } catch (err) {
    if (isNotFound(err)) return undefined
    throw err
  }
}

/**
 * CreateKeysAndCertificate's answer was lost: the certificate cannot be matched to a key (AWS kept
 * none). It was created INACTIVE, so it cannot connect; name the candidates for a person to check.
 */
async function unidentifiedAwsCertificateNote(iot: IoTClient, intentAt: string): Promise<string | undefined> {
  const candidates = await inactiveCertificatesCreatedSince(iot, new Date(intentAt))
  if (!candidates.length) return undefined // no certificate appeared: the call never took effect
  return (
    `CreateKeysAndCertificate was called at ${intentAt} and the run stopped before its answer was saved: ` +
    `an INACTIVE certificate without a private key may remain (it cannot connect). ` +
    `Inactive certificates created since then: ${candidates.join(', ')}. Check and delete the one this run made.`
  )
}

/** The undo of an action in words, for progress and reports. */
export function describeUndo(action: JournalAction): string {
  switch (action.kind) {
    case 'addToGroup':
      return `RemoveThingFromThingGroup ${action.thingName} from ${action.groupName}`
    case 'attachThingPrincipal':
      return `DetachThingPrincipal ${action.principal} from ${action.thingName}`
    case 'attachPolicy':
      return `DetachPolicy ${action.policyName} from ${action.target}`
    case 'policy':
      return `DeletePolicy ${action.policyName}`
    case 'thing':
      return `DeleteThing ${action.thingName}`
    case 'activateCertificate':
      return `UpdateCertificate ${action.certificateId} INACTIVE`
    case 'certificate':
      return `DeleteCertificate ${action.certificateId ?? `(made by ${action.via === 'csr' ? 'CreateCertificateFromCsr' : action.via === 'aws' ? 'CreateKeysAndCertificate' : 'RegisterCertificateWithoutCA'}, id not yet known)`}`
    case 'vaultKey':
      return `delete vault key ${action.keyId}`
    case 'renameVaultKey':
      return `delete vault key ${action.to}`
  }
}
