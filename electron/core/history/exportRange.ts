import { link, mkdir, open, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { JsonObject, JsonValue } from '../../contract'
import { csvRecord } from './csv'
import type { HistoryStore, ShadowRef, StoredRow, TimeRange } from './historyStore'
import { forEachLeaf, leafPathName, valueAt, type LeafPath } from './leafPaths'

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
  const handle = await open(partial, 'wx')
  let rows = 0
  try {
    // Lines gather in memory and go to the file a big chunk at a time: no await per row.
    let chunk: string[] = []
    let chunkChars = 0
    const add = (text: string) => {
      chunk.push(text)
      chunkChars += text.length
    }
    const flush = async () => {
      if (chunkChars < CHUNK_CHARS) return
      await handle.write(chunk.join(''))
      chunk = []
      chunkChars = 0
    }
    if (format === 'csv') {
      const columns = leafColumns(store, shadow, range)
      add(csvRecord(['time', 'version', 'clientToken', ...columns.map((c) => c.name)]))
      for (const page of store.rows(shadow, range)) {
        for (const row of page) add(csvRecord(csvFields(row, columns)))
        rows += page.length
        await flush()
      }
    } else {
      for (const page of store.rows(shadow, range)) {
        for (const row of page) add(jsonLine(row))
        rows += page.length
        await flush()
      }
    }
    await handle.write(chunk.join(''))
    await handle.sync()
    await handle.close()
    // A hard link, unlike a rename, never replaces a file already there (EEXIST instead).
    await link(partial, file)
  } catch (error) {
    await handle.close().catch(() => undefined)
    throw error
  } finally {
    await rm(partial, { force: true })
  }
  return { rows }
}

interface Column {
  name: string
  path: LeafPath
}

/** Every leaf path of desired, then of reported, that any version in the range has (a first pass over the range). */
function leafColumns(store: HistoryStore, shadow: ShadowRef, range: TimeRange): Column[] {
  const seen = new Map<string, LeafPath>()
  for (const page of store.rows(shadow, range))
    for (const row of page) forEachLeaf(JSON.parse(row.state) as JsonObject, [], (path) => seen.set(leafPathName(path), path))
  const section = (path: LeafPath) => (path[0] === 'desired' ? 0 : 1)
  return [...seen].map(([name, path]) => ({ name, path })).sort((a, b) => section(a.path) - section(b.path) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

function csvFields(row: StoredRow, columns: Column[]): string[] {
  const state = JSON.parse(row.state) as JsonObject
  return [new Date(row.time).toISOString(), String(row.version), row.clientToken ?? '', ...columns.map((column) => cell(valueAt(state, column.path)))]
}

/** A leaf as a spreadsheet reads it: text as is, numbers and booleans as written in JSON, an array as JSON, nothing as empty. */
function cell(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** The stored JSON spliced in as is: no parse, no re-serialisation. */
function jsonLine(row: StoredRow): string {
  const token = row.clientToken === null ? '' : `,"clientToken":${JSON.stringify(row.clientToken)}`
  return `{"time":${JSON.stringify(new Date(row.time).toISOString())},"version":${row.version}${token},"source":"${row.source}","state":${row.state},"metadata":${row.metadata}}\n`
}
