import type { IoTClient } from '@aws-sdk/client-iot'
import { describeConnection, type Connection, type ProvisionProgress } from '../../contract'
import type { Vault } from '../vault'
import { errorNameAndMessage, type UndoOutcome } from './errors'
import type { Journal } from './journal'
import { progressEmitter } from './runContext'
import { undoRun } from './undo'

export interface RecoveryContext {
  journal: Journal
  vault: Vault
  /** A client for the connection the interrupted run used (the sandbox is started on demand). */
  openIot: (connection: Connection) => Promise<IoTClient>
  onProgress?: (p: ProvisionProgress) => void | Promise<void>
}

export interface RecoveryReport {
  /** The run's id, or the journal file's name when the file could not be read. */
  runId: string
  thingName?: string
  connection?: Connection
  startedAt?: string
  /** undone: nothing of the run remains (see undo.leftBehind for notes); incomplete: retried at next start. */
  outcome: 'undone' | 'incomplete' | 'unreadable'
  undo: UndoOutcome
  /** One line for people. */
  summary: string
}

/**
 * Finds runs a killed or crashed process left in the journal and undoes them, newest write first.
 * Undo is idempotent, so a recovery that is itself interrupted is simply repeated. A run whose
 * undo could not finish keeps its journal file and is tried again at the next start.
 */
export async function recoverInterruptedRuns(ctx: RecoveryContext): Promise<RecoveryReport[]> {
  const emit = progressEmitter(ctx.onProgress)
  const { runs, unreadable } = await ctx.journal.interruptedRuns()
  const reports: RecoveryReport[] = unreadable.map((u) => ({
    runId: u.file,
    outcome: 'unreadable',
    undo: { complete: false, actions: [], leftBehind: [`journal file ${u.file} could not be read: ${u.problem}`] },
    summary: `The journal file ${u.file} could not be read (${u.problem}); it was set aside. Check the thing it names by hand.`
  }))

  for (const record of runs) {
    const where = describeConnection(record.connection)
    const base = { runId: record.runId, thingName: record.thingName, connection: record.connection, startedAt: record.startedAt }
    let iot: IoTClient
    try {
      iot = await ctx.openIot(record.connection)
    } catch (err) {
      const { errorName, message } = errorNameAndMessage(err)
      reports.push({
        ...base,
        outcome: 'incomplete',
        undo: { complete: false, actions: [], leftBehind: [`could not connect to ${where}: ${errorName}: ${message}`] },
        summary: `The interrupted run for ${record.thingName} on ${where} could not be undone yet (cannot connect: ${message}); it will be tried again at the next start.`
      })
      continue
    }
    const run = await ctx.journal.resume(record)
    const undo = await undoRun({ iot, vault: ctx.vault, run, emit })
    await emit({ runId: record.runId, phase: 'finished', outcome: 'rolledBack' })
    const failed = undo.actions.some((a) => a.status === 'failed')
    const undoneCount = undo.actions.filter((a) => a.status === 'done').length
    reports.push({
      ...base,
      outcome: failed ? 'incomplete' : 'undone',
      undo,
      summary: failed
        ? `The interrupted run for ${record.thingName} on ${where} was partly undone; it will be tried again at the next start: ${undo.leftBehind.join('; ')}`
        : `The interrupted run for ${record.thingName} on ${where} (started ${record.startedAt}) was undone (${undoneCount} action${undoneCount === 1 ? '' : 's'})` +
          (undo.leftBehind.length ? `. Note: ${undo.leftBehind.join('; ')}` : '.')
    })
  }
  return reports
}
