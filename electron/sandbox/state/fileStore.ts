import fs from 'node:fs'
import path from 'node:path'
import { writeFileAtomicSync } from '../../shared/atomicFile'
import type { Change, CollectionName, Store } from './store'

// Durable Store: every commit is one JSON line written to `store.log` before the commit returns
// (so a kill -9 of the process loses nothing: the line is in the OS's cache) and flushed to disk
// by a background fdatasync that follows the writes (so a power cut loses at most the last few
// milliseconds; the Local IoT Core is a rehearsal stand-in, not a bank); every `compactEvery` commits the whole state is written to `store.snapshot.json`
// (temp file + fsync + rename + directory fsync) and the log is emptied. Each log line carries a
// sequence number and the snapshot records the last one it contains, so a crash between the rename and
// the truncation replays nothing twice. A torn last line (kill -9 mid-write) is dropped on load.

const SNAPSHOT_FILE = 'store.snapshot.json'
const LOG_FILE = 'store.log'
const SNAPSHOT_FORMAT = 1

interface Snapshot {
  format: number
  seq: number
  collections: Partial<Record<CollectionName, Array<[string, unknown]>>>
}

interface LogLine {
  seq: number
  changes: Change[]
}

export interface FileStoreOptions {
  /** Commits between compactions; small values are for tests that want compaction exercised. */
  compactEvery?: number
}

export class StoreCorruptError extends Error {
  constructor(file: string, detail: string) {
    super(
      `The Local IoT Core state file ${file} is damaged (${detail}). ` +
        'Move the data directory aside to start with an empty sandbox, or restore it from a backup.'
    )
    this.name = 'StoreCorruptError'
  }
}

export class FileStore implements Store {
  private readonly collections = new Map<CollectionName, Map<string, unknown>>()
  private logFd: number | undefined
  private seq = 0
  private commitsSinceCompaction = 0
  private readonly compactEvery: number
  /** A background fdatasync is running; `flushAgain` asks for one more when it ends. */
  private flushing = false
  private flushAgain = false

  private constructor(
    private readonly dir: string,
    options: FileStoreOptions
  ) {
    this.compactEvery = Math.max(1, options.compactEvery ?? 500)
  }

  /** Loads (or creates) the store kept in `dir`. Throws StoreCorruptError when a file cannot be read. */
  static open(dir: string, options: FileStoreOptions = {}): FileStore {
    fs.mkdirSync(dir, { recursive: true })
    const store = new FileStore(dir, options)
    store.load()
    return store
  }

  get<T>(collection: CollectionName, key: string): T | undefined {
    const value = this.collections.get(collection)?.get(key)
    // Callers get copies: editing a returned record must not change state without a commit.
    return value === undefined ? undefined : (structuredClone(value) as T)
  }

  list<T>(collection: CollectionName): T[] {
    const records = this.collections.get(collection)
    return records ? [...records.values()].map((value) => structuredClone(value) as T) : []
  }

  filter<T>(collection: CollectionName, predicate: (record: Readonly<T>) => boolean): T[] {
    const matches: T[] = []
    for (const value of this.collections.get(collection)?.values() ?? []) if (predicate(value as T)) matches.push(structuredClone(value) as T)
    return matches
  }

  some<T>(collection: CollectionName, predicate: (record: Readonly<T>) => boolean): boolean {
    for (const value of this.collections.get(collection)?.values() ?? []) if (predicate(value as T)) return true
    return false
  }

  commit(changes: Change[]): void {
    if (this.logFd === undefined) throw new Error('The Local IoT Core store is closed.')
    if (changes.length === 0) return
    const line: LogLine = { seq: this.seq + 1, changes }
    const text = JSON.stringify(line) + '\n'
    // Durable first, then visible: a failed write leaves memory untouched.
    writeAll(this.logFd, Buffer.from(text, 'utf8'))
    this.flushInBackground()
    this.seq = line.seq
    this.apply((JSON.parse(text) as LogLine).changes)
    if (++this.commitsSinceCompaction >= this.compactEvery) this.compact()
  }

  close(): void {
    if (this.logFd === undefined) return
    fs.fdatasyncSync(this.logFd)
    fs.closeSync(this.logFd)
    this.logFd = undefined
  }

  private flushInBackground(): void {
    if (this.flushing) {
      this.flushAgain = true
      return
    }
    const fd = this.logFd
    if (fd === undefined) return
    this.flushing = true
    fs.fdatasync(fd, () => {
      // An error here (the store was closed meanwhile) changes nothing: close() syncs itself.
      this.flushing = false
      if (this.flushAgain) {
        this.flushAgain = false
        this.flushInBackground()
      }
    })
  }

  /** Writes the whole state to a snapshot and empties the log. */
  compact(): void {
    if (this.logFd === undefined) throw new Error('The Local IoT Core store is closed.')
    const snapshot: Snapshot = { format: SNAPSHOT_FORMAT, seq: this.seq, collections: {} }
    for (const [name, records] of this.collections) snapshot.collections[name] = [...records.entries()]
    writeFileAtomicSync(path.join(this.dir, SNAPSHOT_FILE), JSON.stringify(snapshot))
    fs.ftruncateSync(this.logFd, 0)
    fs.fdatasyncSync(this.logFd)
    this.commitsSinceCompaction = 0
  }

  private load(): void {
    const snapshotPath = path.join(this.dir, SNAPSHOT_FILE)
    if (fs.existsSync(snapshotPath)) {
      let snapshot: Snapshot
      try {
        snapshot = JSON.parse(fs.readFileSync(snapshotPath, 'utf8')) as Snapshot
      } catch (error) {
        throw new StoreCorruptError(snapshotPath, (error as Error).message)
      }
      if (snapshot.format !== SNAPSHOT_FORMAT) throw new StoreCorruptError(snapshotPath, `unknown format ${snapshot.format}`)
      for (const [name, entries] of Object.entries(snapshot.collections))
        this.collections.set(name as CollectionName, new Map(entries))
      this.seq = snapshot.seq
    }

    const logPath = path.join(this.dir, LOG_FILE)
    const validLength = this.replayLog(logPath)
    this.logFd = fs.openSync(logPath, 'a')
    // Cut a torn tail off so the next commit starts on a fresh line.
    if (fs.fstatSync(this.logFd).size !== validLength) {
      fs.ftruncateSync(this.logFd, validLength)
      fs.fdatasyncSync(this.logFd)
    }
  }

  /** Applies the log's complete lines; returns the byte length of the part that is valid. */
  private replayLog(logPath: string): number {
    if (!fs.existsSync(logPath)) return 0
    const bytes = fs.readFileSync(logPath)
    let offset = 0
    while (offset < bytes.length) {
      const newline = bytes.indexOf(0x0a, offset)
      // No newline: the process died while writing this line; the commit never returned.
      if (newline === -1) break
      const text = bytes.subarray(offset, newline).toString('utf8')
      let line: LogLine
      try {
        line = JSON.parse(text) as LogLine
      } catch (error) {
        const isLastLine = newline === bytes.length - 1
        if (isLastLine) break
        throw new StoreCorruptError(logPath, `line at byte ${offset}: ${(error as Error).message}`)
      }
      if (line.seq > this.seq) {
        this.apply(line.changes)
        this.seq = line.seq
        this.commitsSinceCompaction++
      }
      offset = newline + 1
    }
    return offset
  }

  private apply(changes: Change[]): void {
    for (const change of changes) {
      let records = this.collections.get(change.collection)
      if (!records) {
        records = new Map()
        this.collections.set(change.collection, records)
      }
      if (change.op === 'put') records.set(change.key, change.value)
      else records.delete(change.key)
    }
  }
}

function writeAll(fd: number, data: Buffer): void {
  let written = 0
  while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written)
}
