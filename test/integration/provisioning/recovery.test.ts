import { spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { CreateThingCommand, CreateThingGroupCommand, AddThingToThingGroupCommand } from '@aws-sdk/client-iot'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { recoverInterruptedRuns, type JournalRecord } from '../../../electron/core/provisioning'
import { serializeJournalRecord } from '../../../electron/core/provisioning/journalFormat'
import { startHarness, type Harness } from './support/harness'
import { inventory } from './support/inventory'

let h: Harness
beforeEach(async () => {
  h = await startHarness()
})
afterEach(async () => {
  await h.close()
})

/** A journal as a killed process leaves it: the thing was created and added to a group; undo had begun. */
async function leaveInterruptedRun(state: JournalRecord['state'], groupStatus: 'done' | 'undone'): Promise<void> {
  await h.iot.send(new CreateThingGroupCommand({ thingGroupName: 'line-1' }))
  await h.iot.send(new CreateThingCommand({ thingName: 'lamp-9' }))
  if (groupStatus === 'done') await h.iot.send(new AddThingToThingGroupCommand({ thingName: 'lamp-9', thingGroupName: 'line-1' }))
  const at = new Date().toISOString()
  const record: JournalRecord = {
    format: 2,
    runId: 'killed-run',
    thingName: 'lamp-9',
    connection: h.connection,
    startedAt: at,
    pid: spawnSync(process.execPath, ['-e', '']).pid as number,
    state,
    entries: [
      { seq: 0, step: 'createThing', action: { kind: 'thing', thingName: 'lamp-9' }, status: 'done', at },
      { seq: 1, step: 'addToGroups', action: { kind: 'addToGroup', thingName: 'lamp-9', groupName: 'line-1' }, status: groupStatus, at }
    ]
  }
  await writeFile(h.journal.fileOf('killed-run'), serializeJournalRecord(record))
}

describe('recoverInterruptedRuns', () => {
  it('keeps a run it cannot reach yet, says why, and undoes it at a later start', async () => {
    await leaveInterruptedRun('running', 'done')
    const offline = await recoverInterruptedRuns({
      journal: h.journal,
      vault: h.vault,
      openIot: async () => {
        throw new Error('The AWS profile "bench" has expired credentials')
      }
    })
    expect(offline).toEqual([expect.objectContaining({ runId: 'killed-run', outcome: 'incomplete', summary: expect.stringMatching(/could not be undone yet.*expired credentials.*next start/) })])
    expect(await h.journalFiles()).toEqual(['run-killed-run.jsonl'])
    expect((await inventory(h.iot)).things).toEqual(['lamp-9'])

    const progress: string[] = []
    const online = await recoverInterruptedRuns({
      journal: h.journal,
      vault: h.vault,
      openIot: async () => h.iot,
      onProgress: (p) => {
        if (p.phase === 'undo' && p.status === 'done') progress.push(p.action)
      }
    })
    expect(online).toEqual([expect.objectContaining({ runId: 'killed-run', outcome: 'undone', summary: expect.stringMatching(/lamp-9 on Local IoT Core .* was undone \(2 actions\)/) })])
    expect(progress).toEqual(['RemoveThingFromThingGroup lamp-9 from line-1', 'DeleteThing lamp-9'])
    expect(await inventory(h.iot)).toMatchObject({ things: [], groupMembers: { 'line-1': [] } })
    expect(await h.journalFiles()).toEqual([])
  })

  it('finishes an undo that was itself interrupted, without redoing what was undone', async () => {
    await leaveInterruptedRun('undoing', 'undone')
    const [report] = await recoverInterruptedRuns({ journal: h.journal, vault: h.vault, openIot: async () => h.iot })
    expect(report?.undo.actions).toEqual([{ action: 'DeleteThing lamp-9', status: 'done' }])
    expect((await inventory(h.iot)).things).toEqual([])
  })
})
