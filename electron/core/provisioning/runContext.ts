import type { IoTClient } from '@aws-sdk/client-iot'
import type { Connection, ProvisionProgress, ProvisionStep } from '../../contract'
import { VaultEntryError, type Vault } from '../vault'
import { describeAwsError } from '../aws'
import type { Journal, JournalAction, JournalRun } from './journal'
import type { BatchFacts } from './batchFacts'
import type { UnexpectedErrorLog } from './errors'

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
  /**
   * The private key of the plan's existing certificate, read from the same file, for a plan with
   * `keepPrivateKey`: it goes into the vault under the certificate id and nowhere else.
   */
  existingCertificateKey?: string
  /** Where a bug in a step (a TypeError) is logged with its stack; the user is told where. */
  unexpectedErrors?: UnexpectedErrorLog
  /** Test seams (the crash tests); the shipped entry points pass none. */
  hooks?: ProvisioningHooks
}

/** Where a write stands when a hook runs: its intent journaled (call not made), or its call returned (result not journaled). */
export type WritePoint = 'intent' | 'called'

export interface ProvisioningHooks {
  /** Awaited at each point of every journaled write; the crash tests stop the process there. */
  onStep?(step: ProvisionStep, point: WritePoint): void | Promise<void>
}

const hooksOfRun = new WeakMap<JournalRun, ProvisioningHooks>()

/** Lets journaledWrite call the run's hooks without every step passing them along. */
export function attachHooks(run: JournalRun, hooks: ProvisioningHooks | undefined): void {
  if (hooks) hooksOfRun.set(run, hooks)
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
  const hooks = hooksOfRun.get(run)
  const seq = await run.intent(step, action)
  await hooks?.onStep?.(step, 'intent')
  let result: T
  try {
    result = await call()
  } catch (err) {
    if (nothingHappened(err)) await run.refused(seq)
    throw err
  }
  await hooks?.onStep?.(step, 'called')
  await run.done(seq, completed?.(result))
  return result
}

function nothingHappened(err: unknown): boolean {
  if (err instanceof VaultEntryError) return true
  const status = describeAwsError(err).httpStatus
  return status !== undefined && status >= 400 && status < 500
}
