import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ListThingsCommand } from '@aws-sdk/client-iot'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openLog, type AppLog } from '../../../electron/core/logging'
import { provision, ProvisioningError, validatePlan } from '../../../electron/core/provisioning'
import { describeStepFailure } from '../../../electron/core/provisioning/errors'
import { startHarness, type Harness } from './support/harness'

// A bug inside a step (here a TypeError thrown where the engine calls its step hook) must reach the
// technician as a readable line that says where the details are — not as "Cannot read properties
// of undefined" — while its stack goes to the home's log, and the run is undone like any failure.

let h: Harness
let logDir: string
let log: AppLog
beforeEach(async () => {
  h = await startHarness()
  logDir = await mkdtemp(join(tmpdir(), 'tb-provision-log-'))
  log = await openLog({ file: join(logDir, 'thingbench.log'), processName: 'test' })
})
afterEach(async () => {
  await log.close()
  await rm(logDir, { recursive: true, force: true })
  await h.close()
})

describe('a bug in a provisioning step', () => {
  it('is reported as a readable InternalError naming the step and the log, logged with its stack, and undone', async () => {
    const checked = validatePlan({ thingName: 'bug-lamp-1', certificate: { mode: 'csr', keyAlgorithm: 'ec' }, policy: { mode: 'none' } })
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
    const bug = () => (undefined as unknown as { thingArn: string }).thingArn
    const failure = await provision(checked.plan, {
      ...h.ctx(),
      unexpectedErrors: { log: log.logger, detailsAt: log.currentFile() },
      hooks: {
        async onStep(step, point) {
          if (step === 'createThing' && point === 'intent') bug()
        }
      }
    }).catch((error: unknown) => error)

    expect(failure).toBeInstanceOf(ProvisioningError)
    const error = failure as ProvisioningError
    expect(error.errorName).toBe('InternalError')
    expect(error.message).toContain(`Something went wrong in the createThing step (TypeError). The details are in ${log.currentFile()}.`)
    expect(error.message).not.toContain('Cannot read properties')
    const failed = h.progress.find((p) => p.phase === 'failed')
    expect(failed).toMatchObject({ step: 'createThing', errorName: 'InternalError' })

    const logged = await readFile(log.currentFile(), 'utf8')
    expect(logged).toContain('Provisioning step createThing failed unexpectedly')
    expect(logged).toContain('Cannot read properties of undefined')
    expect(logged).toMatch(/unexpectedErrors\.test\.ts/)

    // Undone like any failed run: no thing, and the certificate it had made is gone.
    expect((await h.iot.send(new ListThingsCommand({}))).things ?? []).toEqual([])
    expect(error.undo.complete).toBe(true)
  })

  it('keeps AWS errors as they are, and logs nothing for them: their names and messages are already readable', async () => {
    const awsError = Object.assign(new Error('Thing group no-such-group not found'), { name: 'ResourceNotFoundException' })
    expect(describeStepFailure(awsError, 'addToGroups', { log: log.logger, detailsAt: log.currentFile() })).toEqual({
      errorName: 'ResourceNotFoundException',
      message: 'Thing group no-such-group not found'
    })
    expect(await readFile(log.currentFile(), 'utf8').catch(() => '')).not.toContain('failed unexpectedly')
  })
})
