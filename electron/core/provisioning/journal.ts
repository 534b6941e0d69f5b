import { fdatasyncSync, fsyncSync, writeSync } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Connection, ProvisionStep } from '../../contract'
import { syncFolderSync } from '../../shared/atomicFile'
import { isProcessAlive } from '../../shared/processAlive'
import { apply, eventLine, headerLine, parseJournalFile, type JournalEvent } from './journalFormat'

/** What a journaled write does; enough to undo it after a crash without any other state. */
export type JournalAction =
  /** A private key put in the vault under keyId. */
  | { kind: 'vaultKey'; keyId: string }
  /** The key moved from the run id to the certificate id. */
  | { kind: 'renameVaultKey'; from: string; to: string }
  /**
   * certificateId is known after the call (the service's own name for it). For an existing certificate the
   * intent carries the SHA-256 of its DER instead, to find it if the answer was lost.
   */
  | { kind: 'certificate'; via: 'csr' | 'aws' | 'existing'; certificateId?: string; certificateArn?: string; certificateSha256?: string }
  | { kind: 'activateCertificate'; certificateId: string }
  | { kind: 'thing'; thingName: string }
  | { kind: 'policy'; policyName: string }
  | { kind: 'attachPolicy'; policyName: string; target: string }
  | { kind: 'attachThingPrincipal'; thingName: string; principal: string }
  | { kind: 'addToGroup'; thingName: string; groupName: string }

/**
 * intent: about to be done (it may or may not have happened); done: happened; refused: AWS said no,
 * so nothing happened; undone: reverted.
 */
export type JournalEntryStatus = 'intent' | 'done' | 'refused' | 'undone'

export interface JournalEntry {
  seq: number
  step: ProvisionStep
  action: JournalAction
  status: JournalEntryStatus
  /** ISO time the intent was written (before the call). */
  at: string
}

export interface JournalRecord {
  format: 2
  runId: string
  thingName: string
  connection: Connection
  startedAt: string
  pid: number
  state: 'running' | 'undoing'
  entries: JournalEntry[]
}

/** A journal file that could not be read; it is set aside (renamed *.unreadable) and reported. */
export interface UnreadableJournal {
  file: string
  problem: string
}

const runFileName = (runId: string) => `run-${runId}.jsonl`
const runFilePattern = /^run-.+\.jsonl$/

/** Run files of runs going on in this process (across Journal instances): never handed to recovery. */
const activeRunFiles = new Set<string>()

/** The provisioning journal: one append-only file per run, one fdatasync'd line per intent and result. */
export class Journal {
  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<Journal> {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    return new Journal(resolve(dir))
  }

  async begin(init: { runId: string; thingName: string; connection: Connection }): Promise<JournalRun> {
    const record: JournalRecord = {
      format: 2,
      ...init,
      startedAt: new Date().toISOString(),
      pid: process.pid,
      state: 'running',
      entries: []
    }
    const file = this.fileOf(init.runId)
    const handle = await open(file, 'wx', 0o600)
    activeRunFiles.add(file)
    // Inline, like every line of the run (see JournalRun.append).
    writeSync(handle.fd, headerLine(record))
    fsyncSync(handle.fd)
    // Make the new file's name durable too, so a crash right after begin() still finds the run.
    syncFolderSync(this.dir)
    return new JournalRun(this, record, handle)
  }

  /** Takes over an interrupted run (for recovery). */
  async resume(record: JournalRecord): Promise<JournalRun> {
    const file = this.fileOf(record.runId)
    activeRunFiles.add(file)
    return new JournalRun(this, record, await open(file, 'a', 0o600))
  }

  /**
   * Runs left by a process that is gone (killed or crashed). Runs in progress in this process or in
   * another live process are not returned.
   */
  async interruptedRuns(): Promise<{ runs: JournalRecord[]; unreadable: UnreadableJournal[] }> {
    const runs: JournalRecord[] = []
    const unreadable: UnreadableJournal[] = []
    for (const name of (await readdir(this.dir)).sort()) {
      if (!runFilePattern.test(name)) continue
      const file = join(this.dir, name)
      let record: JournalRecord
      try {
        record = parseJournalFile(await readFile(file, 'utf8'))
      } catch (err) {
        await rename(file, `${file}.unreadable`)
        unreadable.push({ file: `${file}.unreadable`, problem: (err as Error).message })
        continue
      }
      if (activeRunFiles.has(file)) continue
      if (record.pid !== process.pid && isProcessAlive(record.pid)) continue
      runs.push(record)
    }
    return { runs, unreadable }
  }

  fileOf(runId: string): string {
    return join(this.dir, runFileName(runId))
  }

  /** @internal */
  release(runId: string): void {
    activeRunFiles.delete(this.fileOf(runId))
  }
}

/** One run's journal file. Every method has written its line before it returns. */
export class JournalRun {
  constructor(
    private readonly journal: Journal,
    private readonly current: JournalRecord,
    private readonly handle: FileHandle
  ) {}

  get runId(): string {
    return this.current.runId
  }

  get record(): Readonly<JournalRecord> {
    return this.current
  }

  /** Records what is about to happen; returns the entry's number. */
  async intent(step: ProvisionStep, action: JournalAction): Promise<number> {
    const seq = this.current.entries.length
    await this.append({ e: 'entry', entry: { seq, step, action, status: 'intent', at: new Date().toISOString() } }, 'durable')
    return seq
  }

  /** Records that it happened, with what the call returned (ids, ARNs). */
  async done(seq: number, action?: JournalAction): Promise<void> {
    await this.update(seq, 'done', action)
  }

  async refused(seq: number): Promise<void> {
    await this.update(seq, 'refused')
  }

  async undone(seq: number): Promise<void> {
    await this.update(seq, 'undone')
  }

  async startUndo(): Promise<void> {
    await this.append({ e: 'state', state: 'undoing' }, 'durable')
  }

  /** The run is over (provisioned, or fully undone): its file goes. */
  async finish(): Promise<void> {
    await this.handle.close()
    await rm(this.journal.fileOf(this.runId), { force: true })
    this.journal.release(this.runId)
  }

  /** Leaves the file for the next start (undo incomplete) and stops tracking the run here. */
  async abandon(): Promise<void> {
    await this.handle.close()
    this.journal.release(this.runId)
  }

  private async update(seq: number, status: JournalEntryStatus, action?: JournalAction): Promise<void> {
    if (!this.current.entries[seq]) throw new Error(`Journal ${this.runId} has no entry ${seq}`)
    await this.append({ e: 'status', seq, status, ...(action ? { action } : {}) })
  }

  /**
   * An intent must be on disk before its call is made: it is synced at once. An outcome is only
   * written: the next intent's sync carries it, and a kill leaves it in the OS's cache anyway. If a
   * power cut loses it, recovery sees the intent alone and undoes it the way it undoes any
   * interrupted call (idempotently). Lines are written synchronously: a few hundred bytes and one
   * fdatasync cost less than two trips through the thread pool, and nothing else writes this file.
   */
  private async append(event: JournalEvent, durability: 'durable' | 'carried' = 'carried'): Promise<void> {
    const bytes = Buffer.from(eventLine(event), 'utf8')
    let written = 0
    while (written < bytes.length) written += writeSync(this.handle.fd, bytes, written, bytes.length - written)
    if (durability === 'durable') fdatasyncSync(this.handle.fd)
    apply(this.current, event)
  }
}
