// The shadow state history (SQLite through node:sqlite): the store, its exports and the diff of two versions.
export { defaultHistorySettings, HistoryStore, historyFileBytes, type HistoryStats, type HistoryStoreOptions, type RecordedVersion, type ShadowRef, type TimeRange, type VersionsQuery } from './historyStore'
export { exportRange, type ExportFormat } from './exportRange'
export { structuralDiff } from './structuralDiff'
export { HistoryError } from './errors'
