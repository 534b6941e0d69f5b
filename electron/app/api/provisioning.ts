import { randomUUID } from 'node:crypto'
import type { Connection, Handlers, PlanProblemView, ProvisionOutcome, ProvisionPlan } from '../../contract'
import { parseCertificate } from '../../core/certificates'
import { BatchFacts, checkPlanAgainstAws, plannedCalls, PlanRefusedError, provision, ProvisioningError, validatePlan } from '../../core/provisioning'
import type { BackendContext } from './context'
import { BackendError } from './errors'

/**
 * provisioning.preview / run / cancel. Runs are tracked by the run id the UI knows (its own, or
 * one made here), so progress events, cancel and the outcome all carry the same id.
 */
export class ProvisioningRuns {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<unknown> }>()
  private readonly batches = new Map<string, BatchFacts>()

  constructor(private readonly ctx: BackendContext) {}

  handlers(): Pick<Handlers, 'provisioning.preview' | 'provisioning.run' | 'provisioning.cancel'> {
    return {
      'provisioning.preview': async ({ plan }) => {
        const local = validatePlan(plan)
        if (!local.ok) return { ok: false, problems: local.problems }
        const connection = this.ctx.connection()
        const { problems, facts } = await checkPlanAgainstAws(local.plan, await this.ctx.session.iotClient(connection), this.batchFor(connection))
        if (problems.length) return { ok: false, problems }
        return { ok: true, preview: { plan: local.plan, ...plannedCalls(local.plan, facts) } }
      },
      'provisioning.run': async ({ plan, runId }) => {
        const id = runId ?? randomUUID()
        if (this.running.has(id)) throw new BackendError('InvalidArguments', `provisioning.run: runId: run ${id} is already running`)
        const controller = new AbortController()
        const done = this.run(plan, id, controller.signal)
        this.running.set(id, { controller, done })
        try {
          return await done
        } finally {
          this.running.delete(id)
        }
      },
      'provisioning.cancel': async ({ runId }) => {
        const run = this.running.get(runId)
        if (!run || run.controller.signal.aborted) return { cancelled: false }
        run.controller.abort()
        return { cancelled: true }
      }
    }
  }

  /** Cancels the runs still going and waits until each has finished undoing. */
  async close(): Promise<void> {
    const runs = [...this.running.values()]
    for (const run of runs) run.controller.abort()
    await Promise.allSettled(runs.map((run) => run.done))
  }

  private async run(input: unknown, runId: string, signal: AbortSignal): Promise<ProvisionOutcome> {
    const local = validatePlan(input)
    if (!local.ok) return { outcome: 'refused', problems: local.problems }
    const connection = this.ctx.connection()
    const { session, events } = this.ctx
    const keptKey = this.keptKeyFor(local.plan)
    try {
      const result = await provision(local.plan, {
        iot: await session.iotClient(connection),
        vault: session.vault,
        journal: session.journal,
        connection,
        signal,
        batchFacts: this.batchFor(connection),
        runId,
        onProgress: (progress) => events.emit('provisioning.progress', progress),
        unexpectedErrors: session.unexpectedErrors(),
        ...(keptKey ? { existingCertificateKey: keptKey.privateKeyPem } : {})
      })
      if (keptKey && result.privateKeyInVault) this.ctx.heldKeys.forget(keptKey.certificateId)
      return { outcome: 'provisioned', result }
    } catch (error) {
      if (error instanceof PlanRefusedError) return { outcome: 'refused', problems: error.problems satisfies PlanProblemView[] }
      if (error instanceof ProvisioningError)
        return {
          outcome: 'failed',
          runId,
          step: error.step,
          errorName: error.errorName,
          message: error.awsMessage,
          undo: { complete: error.undo.complete, actions: error.undo.actions, leftBehind: error.undo.leftBehind }
        }
      throw error
    }
  }

  /** The held private key a plan asks to keep: the one read from the same file as its certificate. */
  private keptKeyFor(plan: ProvisionPlan): { certificateId: string; privateKeyPem: string } | undefined {
    if (plan.certificate.mode !== 'existing' || !plan.certificate.keepPrivateKey) return undefined
    const certificateId = parseCertificate(plan.certificate.certificatePem).certificateId
    const privateKeyPem = this.ctx.heldKeys.get(certificateId)
    // Without it the engine refuses the plan, saying to read the file again.
    return privateKeyPem ? { certificateId, privateKeyPem } : undefined
  }

  /**
   * What earlier runs on this connection found (groups, policies, thing types by name), so "provision
   * the next device with the same choices" skips the checks the last one made. Facts are per name and
   * expire on their own; a failed run forgets them.
   */
  private batchFor(connection: Connection): BatchFacts {
    const key = JSON.stringify(connection)
    let batch = this.batches.get(key)
    if (!batch) this.batches.set(key, (batch = new BatchFacts()))
    return batch
  }
}
