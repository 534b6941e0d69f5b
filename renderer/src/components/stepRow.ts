/** One row of a run's step list, as StepList shows it: the caller decides its words and colour. */
export interface StepRow {
  /** The step's name; the row's test id is `<prefix>-<key>`. */
  key: string
  /** As the run reports it (pending, started, done, skipped, failed), for styling and tests. */
  status: string
  label: string
  /** The tag's text: "done", "not run", "undone"… */
  tag: string
  tagType: 'default' | 'info' | 'success' | 'warning' | 'error'
  detail?: string
}
