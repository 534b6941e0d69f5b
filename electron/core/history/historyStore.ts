import { mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { historySettingsSchema, type HistoryDocumentView, type HistorySettings, type HistorySource, type HistoryVersionView } from '../../contract'
import { HistoryError } from './errors'

// The shadow state history of one app home: a SQLite database (node:sqlite, built into Node 24 and
// so into Electron 45: no native module) with one row per version of a shadow. Writes are queued and
// committed in batches, one transaction each; pruning to the user's limits follows the writes.
//
// Durability: WAL with synchronous=NORMAL. A commit is in the WAL (handed to the OS) before it
// returns, so a kill -9 of the app loses nothing committed and never corrupts the database; only a
// power cut or an OS crash may lose the last commits since a checkpoint — never the database
// itself. synchronous=FULL would fsync every commit, a cost every batch pays to protect against the
// one failure that a history of what a watch saw can afford.

/** Which shadow, on which connection: the same thing name on the Local IoT Core and on AWS are two shadows. */
export interface ShadowRef {
  /** A stable key of the connection the shadow was watched on (e.g. "local"). */
  connection: string
  thingName: string
  /** Absent for the classic shadow. */
  shadowName?: string
}

export interface RecordedVersion extends ShadowRef {
  version: number
  /** Epoch ms. */
  time: number
  document: HistoryDocumentView
  clientToken?: string
  source: HistorySource
  previousVersion?: number
}

export interface TimeRange {
  /** Epoch ms, inclusive. */
  from?: number
  /** Epoch ms, inclusive. */
  to?: number
}

export interface VersionsQuery extends ShadowRef, TimeRange {
  nextToken?: string
  maxResults: number
  withDocuments: boolean
}

/** A row as stored, documents still JSON text: what exports stream without parsing twice. */
export interface StoredRow {
  version: number
  time: number
  clientToken: string | null
  source: HistorySource
  previousVersion: number | null
  state: string
  metadata: string
}

export interface HistoryStats {
  versions: number
  /** Bytes of pages holding data (what the size limit counts). */
  usedBytes: number
}

export interface HistoryStoreOptions {
  /** How long a write waits for others to share its transaction (default 25 ms). */
  batchDelayMs?: number
  /** A batch this large is committed at once (default 2,000). */
  batchSize?: number
  /** The clock, epoch ms (tests move it). */
  now?: () => number
  /** A batch that could not be written (disk full, a locked database): the caller logs it. */
  onError?: (error: unknown, lost: number) => void
}

export const defaultHistorySettings: HistorySettings = { keepDays: 30, maxMegabytes: 512, maxVersionsPerShadow: 1_000_000 }

const SCHEMA_VERSION = 1
/** Rows removed per DELETE while pruning: each a short transaction, so a reader never waits long. */
const PRUNE_BATCH = 2_000
/** Pruning runs after this many written versions (or PRUNE_INTERVAL_MS), not after every batch. */
const PRUNE_EVERY_WRITES = 5_000
const PRUNE_INTERVAL_MS = 30_000
const DAY_MS = 86_400_000

export class HistoryStore {
  private readonly db: DatabaseSync
  private readonly statements: ReturnType<typeof prepare>
  private queue: RecordedVersion[] = []
  private timer: NodeJS.Timeout | undefined
  private writtenSincePrune = 0
  private lastPrune = 0
  private readonly touched = new Map<string, ShadowRef>()
  private limits: HistorySettings
  private closed = false

  private constructor(
    readonly file: string,
    private readonly options: Required<Omit<HistoryStoreOptions, 'onError'>> & Pick<HistoryStoreOptions, 'onError'>
  ) {
    mkdirSync(dirname(file), { recursive: true })
    this.db = new DatabaseSync(file, { timeout: 5_000 })
    // auto_vacuum takes effect only on a new database, before its first table: pages freed by
    // pruning can then be given back to the file system (incremental_vacuum) without a VACUUM.
    this.db.exec('PRAGMA auto_vacuum = INCREMENTAL')
    this.db.exec('PRAGMA journal_mode = WAL')
    this.db.exec('PRAGMA synchronous = NORMAL')
    // A big export or prune must not leave a WAL of that size behind once checkpointed.
    this.db.exec('PRAGMA journal_size_limit = 67108864')
    this.migrate()
    this.statements = prepare(this.db)
    this.limits = this.readSettings()
  }

  static open(file: string, options: HistoryStoreOptions = {}): HistoryStore {
    const store = new HistoryStore(file, {
      batchDelayMs: options.batchDelayMs ?? 25,
      batchSize: options.batchSize ?? 2_000,
      now: options.now ?? Date.now,
      onError: options.onError
    })
    store.pruneAll()
    return store
  }

  /** Queues a version; it is committed with the others within batchDelayMs. A version already kept is ignored (a documents message improves a row known only from a get). */
  record(version: RecordedVersion): void {
    if (this.closed) throw new Error('The history is closed')
    this.queue.push(version)
    if (this.queue.length >= this.options.batchSize) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), this.options.batchDelayMs).unref()
  }

  /** Commits every queued version now, in one transaction; returns how many rows changed. */
  flush(): number {
    clearTimeout(this.timer)
    this.timer = undefined
    const batch = this.queue
    if (batch.length === 0) return 0
    this.queue = []
    let changed = 0
    try {
      this.inTransaction(() => {
        for (const v of batch) {
          const result = this.statements.insert.run(
            v.connection,
            v.thingName,
            v.shadowName ?? '',
            v.version,
            v.time,
            JSON.stringify(v.document.state),
            JSON.stringify(v.document.metadata),
            v.clientToken ?? null,
            v.source,
            v.previousVersion ?? null
          )
          changed += Number(result.changes)
          this.touched.set(shadowKey(v), { connection: v.connection, thingName: v.thingName, ...(v.shadowName === undefined ? {} : { shadowName: v.shadowName }) })
        }
      })
    } catch (error) {
      if (!this.options.onError) throw error
      this.options.onError(error, batch.length)
      return 0
    }
    this.writtenSincePrune += batch.length
    if (this.writtenSincePrune >= PRUNE_EVERY_WRITES || this.options.now() - this.lastPrune >= PRUNE_INTERVAL_MS) this.pruneTouched()
    return changed
  }

  settings(): HistorySettings {
    return { ...this.limits }
  }

  /** Saves the limits given (the others stay) and prunes every shadow to them now. */
  setSettings(change: Partial<HistorySettings>): HistorySettings {
    const next = historySettingsSchema.parse({ ...this.limits, ...change })
    this.statements.saveSetting.run('limits', JSON.stringify(next))
    this.limits = next
    this.pruneAll()
    return this.settings()
  }

  /** One page of a shadow's versions within a time range, oldest version first. */
  versions(query: VersionsQuery): { versions: HistoryVersionView[]; nextToken?: string } {
    this.flush()
    const after = query.nextToken === undefined ? -1 : versionAfter(query.nextToken)
    const rows = this.page(query, query, after, query.maxResults + 1)
    const more = rows.length > query.maxResults
    const kept = more ? rows.slice(0, query.maxResults) : rows
    return {
      versions: kept.map((row) => toView(query, row, query.withDocuments)),
      ...(more ? { nextToken: tokenAfter(kept.at(-1)!.version) } : {})
    }
  }

  /** Every row of a range, a page at a time (never all in memory), oldest version first. */
  *rows(shadow: ShadowRef, range: TimeRange, pageSize = 2_000): Generator<StoredRow[]> {
    this.flush()
    for (let after = -1; ; ) {
      const rows = this.page(shadow, range, after, pageSize)
      if (rows.length > 0) yield rows
      if (rows.length < pageSize) return
      after = rows.at(-1)!.version
    }
  }

  /** The version with its document; ResourceNotFoundException when the history does not hold it. */
  version(shadow: ShadowRef, version: number): HistoryVersionView & { document: HistoryDocumentView } {
    this.flush()
    const row = this.statements.one.get(shadow.connection, shadow.thingName, shadow.shadowName ?? '', version) as StoredRow | undefined
    if (!row) {
      const span = this.statements.span.get(shadow.connection, shadow.thingName, shadow.shadowName ?? '') as { oldest: number | null; newest: number | null }
      const kept = span.oldest === null ? 'it holds no version of this shadow (is it being watched?)' : `it holds versions ${span.oldest}–${span.newest} (some may be missing)`
      throw new HistoryError('ResourceNotFoundException', `Version ${version} of ${describe(shadow)} is not in the history: ${kept}`)
    }
    return toView(shadow, row, true) as HistoryVersionView & { document: HistoryDocumentView }
  }

  stats(): HistoryStats {
    this.flush()
    const { count } = this.statements.countAll.get() as { count: number }
    return { versions: count, usedBytes: this.usedBytes() }
  }

  /** Applies the limits to every shadow (at open and when the settings change). */
  pruneAll(): number {
    const overCount = this.statements.shadowsOverCount.all(this.limits.maxVersionsPerShadow) as Array<{ connection: string; thing: string; shadow: string }>
    return this.prune(overCount.map((s) => ({ connection: s.connection, thingName: s.thing, ...(s.shadow === '' ? {} : { shadowName: s.shadow }) })))
  }

  /** Commits what is queued and closes the database (a checkpoint folds the WAL back in). */
  close(): void {
    if (this.closed) return
    this.flush()
    this.closed = true
    this.db.close()
  }

  private pruneTouched(): number {
    const shadows = [...this.touched.values()]
    this.touched.clear()
    return this.prune(shadows)
  }

  private prune(shadows: ShadowRef[]): number {
    this.writtenSincePrune = 0
    this.lastPrune = this.options.now()
    let removed = this.deleteInBatches(() => this.statements.deleteOlderThan.run(this.options.now() - this.limits.keepDays * DAY_MS, PRUNE_BATCH))
    for (const shadow of shadows) {
      const { count } = this.statements.countOf.get(shadow.connection, shadow.thingName, shadow.shadowName ?? '') as { count: number }
      const excess = count - this.limits.maxVersionsPerShadow
      if (excess > 0) removed += Number(this.statements.deleteOldestOf.run(shadow.connection, shadow.thingName, shadow.shadowName ?? '', excess).changes)
    }
    removed += this.pruneToSize(this.limits.maxMegabytes * 1024 * 1024)
    if (removed > 0) this.db.exec('PRAGMA incremental_vacuum')
    return removed
  }

  /** Removes the oldest versions of all, a share at a time sized by how far over the limit the data is. */
  private pruneToSize(maxBytes: number): number {
    let removed = 0
    for (let used = this.usedBytes(); used > maxBytes; used = this.usedBytes()) {
      const { count } = this.statements.countAll.get() as { count: number }
      if (count === 0) break
      const share = Math.min(PRUNE_BATCH, Math.max(1, Math.ceil((count * (used - maxBytes)) / used)))
      removed += Number(this.statements.deleteOldest.run(share).changes)
    }
    return removed
  }

  /** Runs a limited DELETE until it removes less than a batch. */
  private deleteInBatches(deleteBatch: () => { changes: number | bigint }): number {
    let removed = 0
    for (;;) {
      const changes = Number(deleteBatch().changes)
      removed += changes
      if (changes < PRUNE_BATCH) return removed
    }
  }

  private usedBytes(): number {
    const pages = (this.db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count
    const free = (this.db.prepare('PRAGMA freelist_count').get() as { freelist_count: number }).freelist_count
    const size = (this.db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size
    return (pages - free) * size
  }

  private page(shadow: ShadowRef, range: TimeRange, afterVersion: number, limit: number): StoredRow[] {
    return this.statements.page.all(
      shadow.connection,
      shadow.thingName,
      shadow.shadowName ?? '',
      afterVersion,
      range.from ?? 0,
      range.to ?? Number.MAX_SAFE_INTEGER,
      limit
    ) as unknown as StoredRow[]
  }

  private readSettings(): HistorySettings {
    const row = this.statements.setting.get('limits') as { value: string } | undefined
    if (!row) return { ...defaultHistorySettings }
    const saved = historySettingsSchema.partial().safeParse(JSON.parse(row.value))
    return { ...defaultHistorySettings, ...(saved.success ? saved.data : {}) }
  }

  private inTransaction(work: () => void): void {
    this.db.exec('BEGIN IMMEDIATE')
    try {
      work()
      this.db.exec('COMMIT')
    } catch (error) {
      this.db.exec('ROLLBACK')
      throw error
    }
  }

  private migrate(): void {
    const { user_version: current } = this.db.prepare('PRAGMA user_version').get() as { user_version: number }
    if (current > SCHEMA_VERSION) throw new Error(`${this.file} was written by a newer ThingBench (history schema ${current}, this one knows ${SCHEMA_VERSION}): update ThingBench, or move the file away`)
    if (current === SCHEMA_VERSION) return
    this.db.exec(`
      BEGIN;
      CREATE TABLE IF NOT EXISTS versions (
        id INTEGER PRIMARY KEY,
        connection TEXT NOT NULL,
        thing TEXT NOT NULL,
        shadow TEXT NOT NULL,           -- '' for the classic shadow
        version INTEGER NOT NULL,
        time INTEGER NOT NULL,          -- epoch ms
        state TEXT NOT NULL,            -- JSON: desired and reported
        metadata TEXT NOT NULL,         -- JSON: their timestamps
        client_token TEXT,              -- who changed it, where the update carried one
        source TEXT NOT NULL,           -- documents | get | previous
        previous_version INTEGER,       -- the version it was made from; that row holds its document
        UNIQUE (connection, thing, shadow, version)
      );
      CREATE INDEX IF NOT EXISTS versions_by_time ON versions (time);
      CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
      PRAGMA user_version = ${SCHEMA_VERSION};
      COMMIT;
    `)
  }
}

function prepare(db: DatabaseSync) {
  const statement = (sql: string): StatementSync => db.prepare(sql)
  const shadowIs = 'connection = ? AND thing = ? AND shadow = ?'
  const columns = 'version, time, client_token AS clientToken, source, previous_version AS previousVersion, state, metadata'
  return {
    // A documents message improves a row first known from a get or as another's previous (its
    // clientToken and time); anything else already kept is left as it is.
    insert: statement(`
      INSERT INTO versions (connection, thing, shadow, version, time, state, metadata, client_token, source, previous_version)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (connection, thing, shadow, version) DO UPDATE SET
        time = excluded.time, client_token = excluded.client_token, source = excluded.source, previous_version = excluded.previous_version
      WHERE versions.source <> 'documents' AND excluded.source = 'documents'`),
    page: statement(`SELECT ${columns} FROM versions WHERE ${shadowIs} AND version > ? AND time BETWEEN ? AND ? ORDER BY version LIMIT ?`),
    one: statement(`SELECT ${columns} FROM versions WHERE ${shadowIs} AND version = ?`),
    span: statement(`SELECT min(version) AS oldest, max(version) AS newest FROM versions WHERE ${shadowIs}`),
    countAll: statement('SELECT count(*) AS count FROM versions'),
    countOf: statement(`SELECT count(*) AS count FROM versions WHERE ${shadowIs}`),
    shadowsOverCount: statement('SELECT connection, thing, shadow FROM versions GROUP BY connection, thing, shadow HAVING count(*) > ?'),
    deleteOlderThan: statement('DELETE FROM versions WHERE id IN (SELECT id FROM versions WHERE time < ? ORDER BY time LIMIT ?)'),
    deleteOldestOf: statement(`DELETE FROM versions WHERE id IN (SELECT id FROM versions WHERE ${shadowIs} ORDER BY version LIMIT ?)`),
    deleteOldest: statement('DELETE FROM versions WHERE id IN (SELECT id FROM versions ORDER BY time LIMIT ?)'),
    setting: statement('SELECT value FROM settings WHERE name = ?'),
    saveSetting: statement('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value')
  }
}

function toView(shadow: ShadowRef, row: StoredRow, withDocument: boolean): HistoryVersionView {
  return {
    thingName: shadow.thingName,
    ...(shadow.shadowName === undefined ? {} : { shadowName: shadow.shadowName }),
    version: row.version,
    time: row.time,
    ...(row.clientToken === null ? {} : { clientToken: row.clientToken }),
    source: row.source,
    ...(row.previousVersion === null ? {} : { previousVersion: row.previousVersion }),
    ...(withDocument ? { document: { state: JSON.parse(row.state), metadata: JSON.parse(row.metadata) } as HistoryDocumentView } : {})
  }
}

const shadowKey = (s: ShadowRef): string => JSON.stringify([s.connection, s.thingName, s.shadowName ?? ''])
const describe = (s: ShadowRef): string => (s.shadowName === undefined ? `the classic shadow of ${s.thingName}` : `the shadow "${s.shadowName}" of ${s.thingName}`)

const tokenAfter = (version: number): string => Buffer.from(JSON.stringify({ after: version })).toString('base64url')

function versionAfter(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown }
    if (typeof parsed.after === 'number' && Number.isSafeInteger(parsed.after) && parsed.after >= 0) return parsed.after
  } catch {
    // answered below
  }
  throw new HistoryError('InvalidRequestException', 'nextToken is not one history.versions gave: pass the nextToken of the previous page, or leave it out to start again')
}

/** The file's size on disk, with its WAL (what a user sees in their home). */
export function historyFileBytes(file: string): number {
  const size = (path: string) => {
    try {
      return statSync(path).size
    } catch {
      return 0
    }
  }
  return size(file) + size(`${file}-wal`)
}
