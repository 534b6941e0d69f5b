import type { IoTClient } from '@aws-sdk/client-iot'
import type { Connection, ProvisionProgress, ProvisionStep } from '../../contract'
import { VaultEntryError, type Vault } from '../vault'
import { describeAwsError } from '../aws'
import type { Journal, JournalAction, JournalRun } from './journal'
import type { BatchFacts } from './batchFacts'
import { pauseIfRequested } from './pause'

export interface ProvisionContext {
  iot: IoTClient
  vault: Vault
  journal: Journal
  connection: Connection
  /** Called for every step and undo action, and awaited: the run goes on when it returns. */
  onProgress?: (p: ProvisionProgress) => void | Promise<void>
  /** Cancels the run between steps; what was done is undone. */
  signal?: AbortSignal
  /** The run's id (journal file, progress events, result); a new one when not given. */
  runId?: string
  /** Shared by the runs of one batch: read-only checks an earlier run answered are not asked again. */
  batchFacts?: BatchFacts
}

/** Emits progress; a failing listener must not break a run or its undo. */
export function progressEmitter(onProgress: ProvisionContext['onProgress']): (p: ProvisionProgress) => Promise<void> {
  return async (p) => {
    try {
      await onProgress?.(p)
    } catch {
      // The listener's problem (a closed window, say) is not the run's.
    }
  }
}

/**
 * Makes one write with its journal entries around it: the intent before the call, the result
 * (ids, ARNs) after it. A refusal (AWS's 4xx answer, the vault's VaultEntryError) means nothing
 * happened and is recorded as such; any other failure leaves the intent, which undo treats as
 * "maybe done".
 */
export async function journaledWrite<T>(
  run: JournalRun,
  step: ProvisionStep,
  action: JournalAction,
  call: () => Promise<T>,
  completed?: (result: T) => JournalAction
): Promise<T> {
  const seq = await run.intent(step, action)
  await pauseIfRequested(step, 'intent')
  let result: T
  try {
    result = await call()
  } catch (err) {
    if (nothingHappened(err)) await run.refused(seq)
    throw err
  }
  await pauseIfRequested(step, 'called')
  await run.done(seq, completed?.(result))
  return result
}

function nothingHappened(err: unknown): boolean {
  if (err instanceof VaultEntryError) return true
  const status = describeAwsError(err).httpStatus
  return status !== undefined && status >= 400 && status < 500
}
