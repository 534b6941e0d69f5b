import type { JournalEntry, JournalEntryStatus, JournalAction, JournalRecord } from './journal'

// The on-disk form of a run's journal: JSON lines, appended and fdatasync'd one at a time. The
// first line is the run's header, each further line one event. A kill during an append can only
// tear the last line, which reading ignores: the run is then as it was before that event.

type Header = Omit<JournalRecord, 'state' | 'entries'>

export type JournalEvent =
  | { e: 'entry'; entry: JournalEntry }
  | { e: 'status'; seq: number; status: JournalEntryStatus; action?: JournalAction }
  | { e: 'state'; state: JournalRecord['state'] }

export function headerLine(record: JournalRecord): string {
  const { state: _state, entries: _entries, ...header } = record
  return JSON.stringify(header) + '\n'
}

export function eventLine(event: JournalEvent): string {
  return JSON.stringify(event) + '\n'
}

/** The whole record as file content: for writing a record back (e.g. tests that stage a crash). */
export function serializeJournalRecord(record: JournalRecord): string {
  return (
    headerLine(record) +
    record.entries.map((entry) => eventLine({ e: 'entry', entry })).join('') +
    (record.state === 'running' ? '' : eventLine({ e: 'state', state: record.state }))
  )
}

/** Folds a journal file back into its record; throws on anything but a torn last line. */
export function parseJournalFile(text: string): JournalRecord {
  const lines = text.split('\n')
  // The text after the last newline is a torn append (or nothing): ignore it.
  lines.pop()
  if (lines.length === 0) throw new Error('the journal file is empty')
  const header = JSON.parse(lines[0]!) as Header
  if (header.format !== 2) throw new Error('not a ThingBench journal (format 2)')
  const record: JournalRecord = { ...header, state: 'running', entries: [] }
  for (const [index, line] of lines.slice(1).entries()) {
    let event: JournalEvent
    try {
      event = JSON.parse(line) as JournalEvent
    } catch {
      throw new Error(`line ${index + 2} is not JSON`)
    }
    apply(record, event)
  }
  return record
}

export function apply(record: JournalRecord, event: JournalEvent): void {
  switch (event.e) {
    case 'entry':
      record.entries[event.entry.seq] = event.entry
      break
    case 'status': {
      const entry = record.entries[event.seq]
      if (!entry) throw new Error(`the journal has no entry ${event.seq}`)
      entry.status = event.status
      if (event.action) entry.action = event.action
      break
    }
    case 'state':
      record.state = event.state
      break
  }
}
