// The plotter's series: every `name:value` pair on a line (Arduino Serial Plotter style,
// "temp:21.5 humidity:40" or "temp:21.5,humidity:40"), and the numeric fields of a JSON-lines
// object ({"state":{"celsius":21}} gives state.celsius). Every point is kept (no window): columns
// grow, and uPlot draws them as they are.

// A name starts at the first letter of a run of [\w.-] characters: the match is anchored at the
// run's start (or the line's), so a long word that is not a name is tried once, not once per
// character (which made a log of long lines quadratic: seconds a minute at 1 MB/s).
const pairPattern = /(?:^|[^\w.-])[\d.-]*([A-Za-z_][\w.-]*)\s*[:=]\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?=[\s,;]|$)/gi

function jsonNumbers(value: unknown, prefix: string, out: Array<[string, number]>): void {
  if (typeof value === 'number' && Number.isFinite(value)) out.push([prefix, value])
  else if (value && typeof value === 'object' && !Array.isArray(value))
    for (const [key, child] of Object.entries(value)) jsonNumbers(child, prefix ? `${prefix}.${key}` : key, out)
}

/** The named numbers on one line of text. */
export function plotValues(line: string): Array<[string, number]> {
  const trimmed = line.trim()
  const out: Array<[string, number]> = []
  if (trimmed.startsWith('{')) {
    try {
      jsonNumbers(JSON.parse(trimmed), '', out)
      return out
    } catch {
      // Not JSON after all: look for pairs.
    }
  }
  for (const match of trimmed.matchAll(pairPattern)) out.push([match[1]!, Number(match[2])])
  return out
}

export class PlotSeries {
  /** Seconds since the epoch (uPlot's time scale). */
  times: number[] = []
  readonly columns = new Map<string, Array<number | null>>()
  /** Bumped when a new name appears (the chart rebuilds its series). */
  names: string[] = []
  private partial = ''
  private readonly decoder = new TextDecoder()

  /** Feeds received bytes; returns whether any point was added. */
  feed(at: number, bytes: Uint8Array): boolean {
    const text = this.partial + this.decoder.decode(bytes, { stream: true })
    const lines = text.split('\n')
    this.partial = lines.pop() ?? ''
    if (this.partial.length > 4096) this.partial = '' // a line that long is not a plot line
    let added = false
    for (const line of lines) added = this.addLine(at, line) || added
    return added
  }

  private addLine(at: number, line: string): boolean {
    const values = plotValues(line)
    if (!values.length) return false
    const row = this.times.length
    this.times.push(at / 1000)
    for (const column of this.columns.values()) column.push(null)
    for (const [name, value] of values) {
      let column = this.columns.get(name)
      if (!column) {
        column = new Array<number | null>(row + 1).fill(null)
        this.columns.set(name, column)
        this.names = [...this.names, name].sort()
      }
      column[row] = value
    }
    return true
  }

  clear(): void {
    this.times = []
    this.columns.clear()
    this.names = []
    this.partial = ''
  }
}
