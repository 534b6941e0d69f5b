import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Journal, type JournalRecord } from '../../../electron/core/provisioning'
import { parseJournalFile, serializeJournalRecord } from '../../../electron/core/provisioning/journalFormat'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tb-journal-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const local = { kind: 'local' } as const

/** The pid of a process that has exited: what a killed run leaves in its journal. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''])
  return child.pid as number
}

describe('Journal', () => {
  it('writes the intent to disk before the call and the created ids after it', async () => {
    const journal = await Journal.open(join(dir, 'journal'))
    const run = await journal.begin({ runId: 'run-a', thingName: 'lamp-1', connection: local })
    const seq = await run.intent('createCertificate', { kind: 'certificate', via: 'csr' })

    const onDisk = async () => parseJournalFile(await readFile(journal.fileOf('run-a'), 'utf8'))
    expect((await onDisk()).entries).toEqual([expect.objectContaining({ seq: 0, step: 'createCertificate', status: 'intent', action: { kind: 'certificate', via: 'csr' } })])

    await run.done(seq, { kind: 'certificate', via: 'csr', certificateId: 'c'.repeat(64), certificateArn: 'arn:aws:iot:eu-west-1:123456789012:cert/cc' })
    expect((await onDisk()).entries[0]).toMatchObject({ status: 'done', action: { certificateId: 'c'.repeat(64) } })
    expect((await onDisk()).connection).toEqual(local)
  })

  it('keeps one file per run and removes it when the run finishes', async () => {
    const journal = await Journal.open(dir)
    const run = await journal.begin({ runId: 'run-b', thingName: 'lamp-1', connection: local })
    await run.intent('createThing', { kind: 'thing', thingName: 'lamp-1' })
    expect(await readdir(dir)).toEqual(['run-run-b.jsonl'])
    await run.finish()
    expect(await readdir(dir)).toEqual([])
  })

  it('finds a run whose process died, but not a run still going on in this process', async () => {
    const journal = await Journal.open(dir)
    const live = await journal.begin({ runId: 'live', thingName: 'lamp-1', connection: local })
    await live.intent('createThing', { kind: 'thing', thingName: 'lamp-1' })

    const crashed: JournalRecord = {
      format: 2,
      runId: 'crashed',
      thingName: 'lamp-2',
      connection: { kind: 'endpoint', url: 'http://127.0.0.1:4000', region: 'eu-west-1' },
      startedAt: new Date().toISOString(),
      pid: deadPid(),
      state: 'running',
      entries: [{ seq: 0, step: 'createThing', action: { kind: 'thing', thingName: 'lamp-2' }, status: 'intent', at: new Date().toISOString() }]
    }
    await writeFile(journal.fileOf('crashed'), serializeJournalRecord(crashed))

    // A second app start opens the journal afresh: it sees the crashed run only.
    const { runs, unreadable } = await (await Journal.open(dir)).interruptedRuns()
    expect(runs.map((r) => r.runId)).toEqual(['crashed'])
    expect(runs[0]?.connection).toEqual(crashed.connection)
    expect(unreadable).toEqual([])
    // Within the same process the live run is never handed to recovery.
    expect((await journal.interruptedRuns()).runs.map((r) => r.runId)).toEqual(['crashed'])
  })

  it('does not hand over a run whose process is still alive', async () => {
    const journal = await Journal.open(dir)
    // A run file written by another live process (here: our parent), e.g. a second app window.
    const other: JournalRecord = {
      format: 2,
      runId: 'elsewhere',
      thingName: 'lamp-1',
      connection: local,
      startedAt: new Date().toISOString(),
      pid: process.ppid,
      state: 'running',
      entries: []
    }
    await writeFile(journal.fileOf('elsewhere'), serializeJournalRecord(other))
    expect((await journal.interruptedRuns()).runs).toEqual([])
    await writeFile(journal.fileOf('elsewhere'), serializeJournalRecord({ ...other, pid: deadPid() }))
    expect((await journal.interruptedRuns()).runs.map((r) => r.runId)).toEqual(['elsewhere'])
  })

  it('reads a run whose last line was torn by a kill as it was before that line', async () => {
    const journal = await Journal.open(dir)
    const run = await journal.begin({ runId: 'torn', thingName: 'lamp-1', connection: local })
    const seq = await run.intent('createThing', { kind: 'thing', thingName: 'lamp-1' })
    const file = journal.fileOf('torn')
    // The "done" line was being appended when the process died.
    await writeFile(file, (await readFile(file, 'utf8')) + `{"e":"status","seq":${seq},"sta`)
    expect(parseJournalFile(await readFile(file, 'utf8')).entries.map((e) => e.status)).toEqual(['intent'])
  })

  it('sets aside a damaged journal file and reports it', async () => {
    const journal = await Journal.open(dir)
    await writeFile(join(dir, 'run-broken.jsonl'), '{"format":2,"runId":"broken"}\nnot json\n{"e":"state","state":"undoing"}\n')
    const { runs, unreadable } = await journal.interruptedRuns()
    expect(runs).toEqual([])
    expect(unreadable).toEqual([{ file: join(dir, 'run-broken.jsonl.unreadable'), problem: 'line 2 is not JSON' }])
    expect((await readdir(dir)).sort()).toEqual(['run-broken.jsonl.unreadable'])
  })

  it('marks undone entries so a repeated recovery knows what is left', async () => {
    const journal = await Journal.open(dir)
    const run = await journal.begin({ runId: 'run-c', thingName: 'lamp-1', connection: local })
    const a = await run.intent('createThing', { kind: 'thing', thingName: 'lamp-1' })
    await run.done(a)
    const b = await run.intent('createPolicy', { kind: 'policy', policyName: 'p' })
    await run.refused(b)
    await run.startUndo()
    await run.undone(a)
    const record = parseJournalFile(await readFile(journal.fileOf('run-c'), 'utf8'))
    expect(record.state).toBe('undoing')
    expect(record.entries.map((e) => e.status)).toEqual(['undone', 'refused'])
  })
})
