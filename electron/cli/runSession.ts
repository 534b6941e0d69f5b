import { isUnexpectedError, type ProvisionProgress } from '../contract'
import type { OnboardingProgress } from '../contract/onboarding'
import { AppSession } from '../app/session'
import type { CommandContext } from './commandContext'

/**
 * Opens the home's session, first finishing or undoing runs an earlier, killed command left in
 * the journal (reported on stderr), runs the command, and always closes the session.
 */
export async function withRecoveredSession<T>(
  ctx: CommandContext,
  json: boolean,
  body: (session: AppSession) => Promise<T>,
  /** Runs before recovery, e.g. to start the Local IoT Core with the command's own options. */
  prepare?: (session: AppSession) => Promise<void>
): Promise<T> {
  const session = await AppSession.open({ home: ctx.home, env: ctx.env, processName: 'cli', logOpens: 'atFirstLine' })
  try {
    await prepare?.(session)
    const reports = await session.recoverInterruptedRuns((p) => printProgress(ctx, p, json))
    for (const report of reports) {
      const line = json ? JSON.stringify({ recovered: report }) : `Recovered an interrupted run: ${report.summary}`
      ctx.stderr.write(line + '\n')
      session.log.logger.warn({ report }, `Recovered an interrupted run: ${report.summary}`)
    }
    return await body(session)
  } catch (error) {
    // The command prints the one-line reason; a bug's stack goes to the log.
    if (isUnexpectedError(error)) session.log.logger.error({ err: error, argv: process.argv.slice(2) }, 'thingbench failed unexpectedly')
    throw error
  } finally {
    await session.close()
  }
}

/** A provisioning run's or an onboarding's progress (the same phases), one line per step on stderr. */
export function printProgress(ctx: CommandContext, p: ProvisionProgress | OnboardingProgress, json: boolean): void {
  if (json) {
    ctx.stderr.write(JSON.stringify(p) + '\n')
    return
  }
  switch (p.phase) {
    case 'step':
      if (p.status !== 'started') ctx.stderr.write(`  ${p.status === 'done' ? '✓' : '–'} ${p.step}${p.detail ? `  ${p.detail}` : ''}\n`)
      break
    case 'failed':
      ctx.stderr.write(`  ✗ ${p.step}  ${p.errorName}: ${p.message}\n`)
      break
    case 'undo':
      if (p.status !== 'started') ctx.stderr.write(`  ↶ ${p.action} ${p.status === 'done' ? 'undone' : 'could not be undone'}${p.detail ? `  ${p.detail}` : ''}\n`)
      break
    case 'finished':
      break
  }
}
