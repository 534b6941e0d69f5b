import { link, mkdir, open, rm, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { JsonValue } from '../../contract'
import { csvField, csvRecord } from './csv'
import type { HistoryStore, ShadowRef, StoredRow, TimeRange } from './historyStore'
import { LeafColumns } from './leafColumns'

// A range of a shadow's history written to a file, a page of rows at a time, so 100,000 versions
// never sit in memory: CSV (time, version, clientToken, then one column per leaf of desired and
// reported, for a spreadsheet) or JSON lines (each version's document as kept). Written beside the
// target and linked into place, so a half-written export is never taken for a whole one and an
// existing file is never replaced.

export type ExportFormat = 'csv' | 'jsonl'

/** Strings are flushed to the file in chunks of about this many characters. */
const CHUNK_CHARS = 1 << 20

export async function exportRange(store: HistoryStore, shadow: ShadowRef, range: TimeRange, format: ExportFormat, file: string): Promise<{ rows: number }> {
  await mkdir(dirname(file), { recursive: true })
  const partial = `${file}.partial`
  // The CSV header names the columns, known only once every row was seen: the rows go to a body
  // file first, in the same pass that learns the columns, and follow the header at the end.
  const body = `${file}.body.partial`
  const handle = await open(partial, 'wx')
  let rows = 0
  try {
    const out = new ChunkedWriter(handle)
    if (format === 'csv') {
      rows = await writeCsv(store, shadow, range, out, body)
    } else {
      for (const page of store.rows(shadow, range)) {
        for (const row of page) out.add(jsonLine(row))
        rows += page.length
        await out.flushFull()
      }
    }
    await out.flush()
    await handle.sync()
    await handle.close()
    // A hard link, unlike a rename, never replaces a file already there (EEXIST instead).
    await link(partial, file)
  } catch (error) {
    await handle.close().catch(() => undefined)
    throw error
  } finally {
    await rm(partial, { force: true })
    await rm(body, { force: true })
  }
  return { rows }
}

/**
 * One pass over the range: each row parsed once, written to the body with the columns known so far.
 * Rows written before the last new column appeared lack it; those few (a prefix: columns only grow)
 * are written again from the history with every column, the rest of the body copied after them.
 */
async function writeCsv(store: HistoryStore, shadow: ShadowRef, range: TimeRange, out: ChunkedWriter, bodyFile: string): Promise<number> {
  const columns = new LeafColumns()
  // Left by an export that was killed: this one holds the .partial, so no other export uses it.
  await rm(bodyFile, { force: true })
  const bodyHandle = await open(bodyFile, 'wx+')
  try {
    const body = new ChunkedWriter(bodyHandle)
    let rows = 0
    let lastVersion = -1
    /** The last version written without every column, and where the rows after it start in the body. */
    let stale = { through: -1, rows: 0, bytes: 0 }
    for (const page of store.rows(shadow, range)) {
      for (const row of page) {
        if (columns.take(JSON.parse(row.state) as JsonValue) && rows > 0) {
          await body.flush()
          stale = { through: lastVersion, rows, bytes: body.bytes }
        }
        body.add(csvLine(row, columns))
        rows++
        lastVersion = row.version
      }
      await body.flushFull()
    }
    await body.flush()

    out.add(csvRecord(['time', 'version', 'clientToken', ...columns.names()]))
    if (stale.through >= 0) {
      let rewritten = 0
      for (const page of store.rows(shadow, range)) {
        const staleRows = page.filter((row) => row.version <= stale.through)
        for (const row of staleRows) {
          columns.take(JSON.parse(row.state) as JsonValue)
          out.add(csvLine(row, columns))
        }
        rewritten += staleRows.length
        await out.flushFull()
        if (staleRows.length < page.length) break
      }
      // A prune between the passes may have taken some of them: count what the file holds.
      rows += rewritten - stale.rows
    }
    await out.flush()
    for (let at = stale.bytes; ; ) {
      const { bytesRead, buffer } = await bodyHandle.read({ buffer: Buffer.allocUnsafe(CHUNK_CHARS), position: at })
      if (bytesRead === 0) break
      await out.handle.write(buffer, 0, bytesRead)
      at += bytesRead
    }
    return rows
  } finally {
    await bodyHandle.close()
  }
}

/** A row's CSV record: time, version, clientToken, then the leaves of the state last taken by `columns`. */
function csvLine(row: StoredRow, columns: LeafColumns): string {
  return `${new Date(row.time).toISOString()},${row.version},${csvField(row.clientToken ?? '')}${columns.cells()}\r\n`
}

/** Lines gather in memory and go to the file a big chunk at a time: no await per row. */
class ChunkedWriter {
  private chunk: string[] = []
  private chunkChars = 0
  /** Bytes written to the file so far. */
  bytes = 0

  constructor(readonly handle: FileHandle) {}

  add(text: string): void {
    this.chunk.push(text)
    this.chunkChars += text.length
  }

  /** Writes the lines gathered once they make a chunk. */
  async flushFull(): Promise<void> {
    if (this.chunkChars >= CHUNK_CHARS) await this.flush()
  }

  async flush(): Promise<void> {
    if (this.chunk.length === 0) return
    const { bytesWritten } = await this.handle.write(this.chunk.join(''))
    this.bytes += bytesWritten
    this.chunk = []
    this.chunkChars = 0
  }
}

/** The stored JSON spliced in as is: no parse, no re-serialisation. */
function jsonLine(row: StoredRow): string {
  const token = row.clientToken === null ? '' : `,"clientToken":${JSON.stringify(row.clientToken)}`
  return `{"time":${JSON.stringify(new Date(row.time).toISOString())},"version":${row.version}${token},"source":"${row.source}","state":${row.state},"metadata":${row.metadata}}\n`
}
