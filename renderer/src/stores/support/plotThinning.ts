// What the plotter draws: the kept points thinned to the plot's pixel columns. Per column and per
// series the first, lowest, highest and last reported point are kept (M4), so a line through them
// looks the same as one through every point (a single spike still shows), and drawing costs the
// plot's width, not the log's length. Only what is drawn is thinned: the full log stays kept, and a
// zoomed-in range is thinned again from it (more detail). Missing values (null, NaN) stay missing:
// a column where a series did not report has no value for it. With each column's block summary
// (ColumnBlocks, kept by the caller as the log grows) a redraw reads about width × 64 + rows / 64
// values instead of every row.

/** The x range on screen (uPlot's x scale: seconds), inclusive. */
export interface PlotRange {
  min: number
  max: number
}

export interface ThinnedPlot {
  times: number[]
  /** One per input column, aligned with `times`; null where that series has no value at that time. */
  columns: Array<Array<number | null>>
}

type Column = ArrayLike<number | null | undefined>

/** Rows per block of a column's summary (ColumnBlocks). */
export const blockRows = 64

/** The first, lowest, highest and last value's rows in a run of rows (-1: none yet). */
interface Extremes {
  first: number
  last: number
  low: number
  high: number
  lowest: number
  highest: number
}

function noExtremes(): Extremes {
  return { first: -1, last: -1, low: -1, high: -1, lowest: Infinity, highest: -Infinity }
}

function reset(into: Extremes): void {
  into.first = into.last = into.low = into.high = -1
  into.lowest = Infinity
  into.highest = -Infinity
}

/** Adds rows [from, to) of `column` to `into`, read one by one. */
function scan(column: Column, from: number, to: number, into: Extremes): void {
  for (let k = from; k < to; k++) {
    const value = column[k]
    if (value == null || value !== value) continue // missing (NaN is not equal to itself)
    if (into.first < 0) into.first = k
    into.last = k
    if (value < into.lowest) {
      into.lowest = value
      into.low = k
    }
    if (value > into.highest) {
      into.highest = value
      into.high = k
    }
  }
}

/**
 * A column's extremes per block of `blockRows` rows, so thinning reads a block's summary instead
 * of its 64 rows: a redraw then reads about (width × 64 + rows / 64) values, not every row. Columns only
 * grow (earlier rows never change), so a block, once full, is summarized once.
 */
export class ColumnBlocks {
  /** Per full block: the rows of its first, lowest, highest and last value; -1 when it has none. */
  private first = new Int32Array(256)
  private last = new Int32Array(256)
  private low = new Int32Array(256)
  private high = new Int32Array(256)
  /** Their values, read here rather than from the column (fewer scattered reads). */
  private lowest = new Float64Array(256)
  private highest = new Float64Array(256)
  /** Full blocks summarized. */
  count = 0

  /** Summarizes the full blocks among the column's first `rows` rows not yet summarized. */
  extend(column: Column, rows: number): void {
    const full = Math.floor(rows / blockRows)
    if (full > this.first.length) {
      const size = Math.max(full, this.first.length * 2)
      for (const key of ['first', 'last', 'low', 'high'] as const) {
        const grown = new Int32Array(size)
        grown.set(this[key])
        this[key] = grown
      }
      for (const key of ['lowest', 'highest'] as const) {
        const grown = new Float64Array(size)
        grown.set(this[key])
        this[key] = grown
      }
    }
    const extremes = noExtremes()
    for (let b = this.count; b < full; b++) {
      reset(extremes)
      scan(column, b * blockRows, (b + 1) * blockRows, extremes)
      this.first[b] = extremes.first
      this.last[b] = extremes.last
      this.low[b] = extremes.low
      this.high[b] = extremes.high
      this.lowest[b] = extremes.lowest
      this.highest[b] = extremes.highest
    }
    this.count = Math.max(this.count, full)
  }

  /** Adds block `b`'s extremes to `into` (blocks added in row order, as `scan` would read them). */
  addTo(b: number, into: Extremes): void {
    if (this.first[b]! < 0) return
    if (into.first < 0) into.first = this.first[b]!
    into.last = this.last[b]!
    const lowest = this.lowest[b]!
    const highest = this.highest[b]!
    if (lowest < into.lowest) {
      into.lowest = lowest
      into.low = this.low[b]!
    }
    if (highest > into.highest) {
      into.highest = highest
      into.high = this.high[b]!
    }
  }
}

/** Adds rows [from, to) of `column` to `into`, by whole blocks where `blocks` has them. */
function extremesOf(column: Column, blocks: ColumnBlocks | undefined, from: number, to: number, into: Extremes): void {
  const firstBlock = Math.ceil(from / blockRows)
  const endBlock = Math.min(Math.floor(to / blockRows), blocks?.count ?? 0)
  if (!blocks || endBlock <= firstBlock) return scan(column, from, to, into)
  scan(column, from, firstBlock * blockRows, into)
  for (let b = firstBlock; b < endBlock; b++) blocks.addTo(b, into)
  scan(column, endBlock * blockRows, to, into)
}

/** First index in [lo, hi) whose time is at least `t` (`after`: greater than `t`); times ascend. */
function search(times: ArrayLike<number>, t: number, lo: number, hi: number, after: boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (after ? times[mid]! <= t : times[mid]! < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

function present(value: number | null | undefined): value is number {
  return value != null && !Number.isNaN(value)
}

export interface ThinOptions {
  /** The x range to draw; the whole log when null. */
  range?: PlotRange | null
  /** Rows read (the plot, paused, keeps drawing what it showed); all by default. */
  count?: number
  /** Each column's block summary (same order as the columns), kept by the caller across redraws. */
  blocks?: readonly ColumnBlocks[]
}

/**
 * The rows of `times`/`columns` to draw for the range on a plot `width` pixels wide: at most 4 per
 * series per pixel column. Also kept, outside the range: the log's first and last row (so uPlot's
 * zoom reset returns to the whole log) and each series' nearest value on either side (so its line
 * leaves the plot's edges where it really does).
 */
export function thinPlot(times: ArrayLike<number>, columns: readonly Column[], width: number, options: ThinOptions = {}): ThinnedPlot {
  const { range = null, blocks } = options
  const n = Math.min(options.count ?? times.length, times.length)
  const out: ThinnedPlot = { times: [], columns: columns.map(() => []) }
  if (n === 0) return out
  const buckets = Math.max(1, Math.floor(width))
  const from = range ? range.min : times[0]!
  const to = range ? range.max : times[n - 1]!
  const start = search(times, from, 0, n, false)
  const end = search(times, to, start, n, true)
  const rows: number[] = [0]

  // Outside the range, before it: each series' last value.
  for (const column of columns) {
    let i = start - 1
    while (i > 0 && !present(column[i])) i--
    if (i > 0) rows.push(i)
  }
  rows.sort((a, b) => a - b)

  // Inside: per pixel column, per series, the rows of its first, lowest, highest and last value.
  const perColumn = to > from ? buckets / (to - from) : 0
  const bucketOf = (t: number) => Math.min(buckets - 1, Math.floor((t - from) * perColumn))
  const extremes = noExtremes()
  const picked: number[] = []
  for (let i = start; i < end; ) {
    // The column's rows, [i, next): found by bisection, so empty columns cost nothing.
    const bucket = bucketOf(times[i]!)
    let lo = i + 1
    let hi = end
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (bucketOf(times[mid]!) > bucket) hi = mid
      else lo = mid + 1
    }
    const next = lo
    picked.length = 0
    for (let s = 0; s < columns.length; s++) {
      reset(extremes)
      extremesOf(columns[s]!, blocks?.[s], i, next, extremes)
      if (extremes.first >= 0) picked.push(extremes.first, extremes.low, extremes.high, extremes.last)
    }
    picked.sort((a, b) => a - b)
    for (const row of picked) if (row !== rows[rows.length - 1]) rows.push(row)
    i = next
  }

  // Outside, after it: each series' next value, then the log's last row.
  const after: number[] = []
  for (const column of columns) {
    let i = end
    while (i < n - 1 && !present(column[i])) i++
    if (i < n - 1) after.push(i)
  }
  after.push(n - 1)
  after.sort((a, b) => a - b)
  for (const row of after) if (row > rows[rows.length - 1]!) rows.push(row)

  for (const row of rows) {
    out.times.push(times[row]!)
    for (let s = 0; s < columns.length; s++) {
      const value = columns[s]![row]
      out.columns[s]!.push(present(value) ? value : null)
    }
  }
  return out
}
