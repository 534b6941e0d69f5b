import { describe, expect, it } from 'vitest'
import { ColumnBlocks, blockRows, thinPlot } from '../../../../renderer/src/stores/support/plotThinning'

// What the plotter draws from the kept log: per pixel column and series the first, min, max and
// last value. A line through what is kept must look like one through every point.

/** `count` rows one second apart from t = 1000, each series' value given by `value(i)`. */
function log(count: number, ...values: Array<(i: number) => number | null>) {
  const times = Array.from({ length: count }, (_, i) => 1000 + i)
  return { times, columns: values.map((value) => times.map((_, i) => value(i))) }
}

/** The (time, value) points of one thinned series, nulls left out. */
function points(thinned: { times: number[]; columns: Array<Array<number | null>> }, series = 0) {
  return thinned.times.flatMap((t, i) => (thinned.columns[series]![i] == null ? [] : [[t, thinned.columns[series]![i]!]]))
}

describe('plot thinning', () => {
  it('keeps a single spike and a single dip among a million flat points, in at most 4 points per pixel column', () => {
    const { times, columns } = log(1_000_000, (i) => (i === 123_457 ? 99 : i === 876_543 ? -99 : 20))
    const thinned = thinPlot(times, columns, 800)
    expect(thinned.times.length).toBeLessThanOrEqual(4 * 800)
    expect(points(thinned)).toContainEqual([1000 + 123_457, 99])
    expect(points(thinned)).toContainEqual([1000 + 876_543, -99])
    expect(Math.max(...thinned.columns[0]!.map(Number))).toBe(99)
    expect(Math.min(...thinned.columns[0]!.map(Number))).toBe(-99)
  })

  it('keeps the first and last point, and each column\'s first and last, in time order', () => {
    const { times, columns } = log(10_000, (i) => Math.sin(i / 7))
    const thinned = thinPlot(times, columns, 100)
    expect(thinned.times[0]).toBe(1000)
    expect(thinned.times.at(-1)).toBe(1000 + 9_999)
    expect(thinned.columns[0]![0]).toBe(columns[0]![0])
    expect(thinned.columns[0]!.at(-1)).toBe(columns[0]![9_999])
    // Column boundaries (every 100 rows here): both sides of each are kept, so the line joins them as drawn in full.
    for (const row of [99, 100, 4_999, 5_000]) expect(points(thinned)).toContainEqual([times[row], columns[0]![row]])
    expect([...thinned.times].sort((a, b) => a - b)).toEqual(thinned.times)
    expect(thinned.times.length).toBeLessThanOrEqual(4 * 100)
  })

  it('draws a sparse log as it is', () => {
    const { times, columns } = log(50, (i) => i * 2, (i) => (i % 2 ? null : -i))
    expect(thinPlot(times, columns, 800)).toEqual({ times, columns })
  })

  it('leaves a series missing where it did not report, and bounds every series to 4 points per column', () => {
    // Series 0 reports every row; series 1 stops for the middle half (null), then NaN for a while.
    const { times, columns } = log(100_000, (i) => i % 10, (i) => (i < 25_000 ? 1 : i < 75_000 ? null : i < 80_000 ? Number.NaN : 2))
    const thinned = thinPlot(times, columns, 200)
    expect(thinned.times.length).toBeLessThanOrEqual(4 * 200 * 2)
    for (const series of [0, 1]) expect(points(thinned, series).length).toBeLessThanOrEqual(4 * 200)
    // No value for series 1 is made up between its last 1 and its first 2: the gap stays a gap.
    const gap = points(thinned, 1).filter(([t]) => t! >= 1000 + 25_000 && t! < 1000 + 80_000)
    expect(gap).toEqual([])
    expect(thinned.columns[1]!.every((value) => value === null || value === 1 || value === 2)).toBe(true)
    expect(points(thinned, 1)).toContainEqual([1000 + 24_999, 1])
    expect(points(thinned, 1)).toContainEqual([1000 + 80_000, 2])
    // The series that kept reporting still spans its whole range (0 to 9) in every column (500 rows each).
    for (let column = 0; column < 200; column++) {
      const values = points(thinned, 0).filter(([t]) => t! >= 1000 + column * 500 && t! < 1000 + (column + 1) * 500).map(([, value]) => value)
      expect([Math.min(...values), Math.max(...values)]).toEqual([0, 9])
    }
  })

  it('thins a zoomed-in range from the kept log: every point there once it is narrow enough', () => {
    const { times, columns } = log(1_000_000, (i) => i % 1000)
    const whole = thinPlot(times, columns, 500)
    // Zoomed to 300 s of a million: each of those points, which the whole view had thinned away.
    const range = { min: 1000 + 500_000, max: 1000 + 500_299 }
    const zoomed = thinPlot(times, columns, 500, { range })
    const inRange = points(zoomed).filter(([t]) => t! >= range.min && t! <= range.max)
    expect(inRange).toEqual(times.slice(500_000, 500_300).map((t, i) => [t, columns[0]![500_000 + i]]))
    expect(points(whole).filter(([t]) => t! >= range.min && t! <= range.max).length).toBeLessThan(10)
    // Outside the range only the log's ends and the neighbours the line leaves the edges by.
    expect(points(zoomed).filter(([t]) => t! < range.min || t! > range.max)).toEqual([
      [1000, 0],
      [1000 + 499_999, 999],
      [1000 + 500_300, 300],
      [1000 + 999_999, 999]
    ])
    // A wider zoom is bounded by the width again.
    expect(thinPlot(times, columns, 500, { range: { min: 1000 + 100_000, max: 1000 + 900_000 } }).times.length).toBeLessThanOrEqual(4 * 500 + 4)
  })

  it('reads only the first `count` rows (a paused plot), and handles an empty log and one instant', () => {
    const { times, columns } = log(1_000, (i) => i)
    const paused = thinPlot(times, columns, 100, { count: 10 })
    expect(paused.times.at(-1)).toBe(1000 + 9)
    expect(thinPlot([], [[]], 100)).toEqual({ times: [], columns: [[]] })
    // Every row of a read chunk shares its time: one column, still its extremes and ends.
    const instant = thinPlot([5, 5, 5, 5, 5, 5], [[3, 9, 1, 4, 7, 2]], 100)
    expect(instant.columns[0]).toEqual([3, 9, 1, 2])
  })

  it('draws the same from block summaries as from every row, for a log that grows between redraws', () => {
    // Random walks with spikes, gaps and NaN, two series on their own lines, times that repeat (a read chunk's rows share one).
    let seed = 7
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31)
    const times: number[] = []
    const columns: Array<Array<number | null>> = [[], []]
    const blocks = [new ColumnBlocks(), new ColumnBlocks()]
    const previous = [0, 0]
    let t = 0
    for (const grow of [100, 5_000, 63, 1, 64, 120_000]) {
      for (let i = 0; i < grow; i++) {
        if (random() < 0.3) t += random() < 0.01 ? 50 : 0.01
        times.push(t)
        const own = random() < 0.5 ? 0 : 1
        for (let s = 0; s < 2; s++) {
          if (s !== own) columns[s]!.push(null)
          else if (random() < 0.001) columns[s]!.push(random() < 0.5 ? 1e6 : Number.NaN)
          else columns[s]!.push((previous[s]! += random() - 0.5))
        }
      }
      blocks.forEach((b, s) => b.extend(columns[s]!, times.length))
      expect(blocks[0]!.count).toBe(Math.floor(times.length / blockRows))
      for (const range of [null, { min: t * 0.3, max: t * 0.31 }, { min: t * 0.1, max: t * 0.9 }])
        for (const width of [1, 97, 1300]) expect(thinPlot(times, columns, width, { range, blocks })).toEqual(thinPlot(times, columns, width, { range }))
    }
    // Paused: blocks summarized past `count` are not read.
    expect(thinPlot(times, columns, 300, { count: 1_000, blocks })).toEqual(thinPlot(times, columns, 300, { count: 1_000 }))
  })

  it('reads about the width in rows per redraw, not the log, when given block summaries', () => {
    const { times, columns } = log(2_000_000, (i) => (i === 1_234_567 ? 1e9 : i % 100))
    let reads = 0
    const counted = new Proxy(columns[0]!, { get: (target, key) => (typeof key === 'string' && /^\d+$/.test(key) && reads++, Reflect.get(target, key)) })
    const blocks = new ColumnBlocks()
    blocks.extend(columns[0]!, times.length)
    const thinned = thinPlot(times, [counted], 1000, { blocks: [blocks] })
    expect(reads).toBeLessThan(1000 * blockRows * 2 + 2_000_000 / blockRows * 2 + 10_000)
    expect(points(thinned)).toContainEqual([1000 + 1_234_567, 1e9])
  })
})
