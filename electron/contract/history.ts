import { z } from 'zod'
import { shadowKeyFields, type JsonObject, type JsonValue } from './shadow'

// The state history as the contract carries it: every version of every watched shadow, kept by the
// back end in one SQLite database per app home, under the connection it was watched on.

/** How much history is kept; pruning removes the oldest versions first. */
export const historySettingsSchema = z
  .object({
    /** Versions older than this many days are removed. */
    keepDays: z.number().int().min(1, 'keepDays is at least 1').max(3650, 'keepDays is at most 3650 (ten years)'),
    /** The database's data is kept under this many megabytes (oldest versions go first). */
    maxMegabytes: z.number().int().min(1, 'maxMegabytes is at least 1').max(1_000_000, 'maxMegabytes is at most 1000000 (1 TB)'),
    /** At most this many versions per shadow (oldest go first). */
    maxVersionsPerShadow: z.number().int().min(10, 'maxVersionsPerShadow is at least 10').max(100_000_000, 'maxVersionsPerShadow is at most 100000000')
  })
  .strict()
export type HistorySettings = z.infer<typeof historySettingsSchema>

/** Epoch milliseconds (Date.now()); a range includes both ends. */
const epochMsSchema = z.number().int().min(0).max(8_640_000_000_000_000)
const timeRangeFields = { from: epochMsSchema.optional(), to: epochMsSchema.optional() }
const rangeInOrder = { message: 'from is after to: give the earlier time as from', path: ['from'] }
const inOrder = (range: { from?: number | undefined; to?: number | undefined }) => range.from === undefined || range.to === undefined || range.from <= range.to
const versionSchema = z.number().int().min(0)

export const historyVersionsArgsSchema = z
  .object({
    ...shadowKeyFields,
    ...timeRangeFields,
    nextToken: z.string().max(4096).optional(),
    maxResults: z.number().int().min(1).max(1000).default(100),
    /** With each version's document (state and metadata); without, the timeline's entries only. */
    withDocuments: z.boolean().default(false)
  })
  .strict()
  .refine(inOrder, rangeInOrder)

export const historyVersionArgsSchema = z.object({ ...shadowKeyFields, version: versionSchema }).strict()
export const historyDiffArgsSchema = z.object({ ...shadowKeyFields, from: versionSchema, to: versionSchema }).strict()
/** A folder the back end writes into: absolute (a relative one would depend on where the back end was started). */
export const absoluteFolderSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => path.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(path) || path.startsWith('\\\\'), 'folder must be an absolute path, such as /home/me/exports')

export const historyExportArgsSchema = z
  .object({
    ...shadowKeyFields,
    ...timeRangeFields,
    format: z.enum(['csv', 'jsonl']),
    /** An absolute folder to write into (created if needed); default: <home>/exports/history. */
    folder: absoluteFolderSchema.optional()
  })
  .strict()
  .refine(inOrder, rangeInOrder)

/** Where a version came from: an update/documents message, a get (a watch's start, after missed versions), or the `previous` side of a documents message. */
export type HistorySource = 'documents' | 'get' | 'previous'

/** The document as it was at a version: desired and reported with their metadata (the delta follows from them). */
export interface HistoryDocumentView {
  state: { desired?: JsonObject; reported?: JsonObject }
  metadata: { desired?: JsonObject; reported?: JsonObject }
}

export interface HistoryVersionView {
  thingName: string
  /** Absent for the classic shadow. */
  shadowName?: string
  version: number
  /** Epoch ms: when the version was received (documents), else the newest metadata timestamp. */
  time: number
  /** The update's clientToken: who changed it, where the writer gave one. */
  clientToken?: string
  source: HistorySource
  /** The version this one was made from (update/documents' previous), when known. */
  previousVersion?: number
  /** With withDocuments, and always from history.version. */
  document?: HistoryDocumentView
}

/** One difference between two versions' state, at a path of keys from state (["desired", "level"]). */
export type HistoryChange =
  | { kind: 'added'; path: string[]; after: JsonValue }
  | { kind: 'removed'; path: string[]; before: JsonValue }
  | { kind: 'changed'; path: string[]; before: JsonValue; after: JsonValue }

export interface HistoryDiffView {
  from: HistoryVersionView
  to: HistoryVersionView
  /** Arrays are values (an update replaces a whole array), so a changed array is one change. */
  changes: HistoryChange[]
}

export interface HistoryExportView {
  path: string
  rows: number
}
