import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'

// Where a page's main thread went under load, for the browser benches' --profile: a CDP CPU
// profile (written to a file DevTools opens), summed by function, self time and total time.

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }>
  startTime: number
  endTime: number
}

/** Starts profiling `page`; the returned function stops and gives the profile. */
export async function startProfile(page: Page): Promise<() => Promise<CpuProfile>> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.start')
  return async () => ((await cdp.send('Profiler.stop')) as { profile: CpuProfile }).profile
}

/** Writes the profile to a temp file named after `bench` and prints the top functions. */
export function printProfile(profile: CpuProfile, bench: string): void {
  const file = join(tmpdir(), `thingbench-${bench}-${Date.now()}.cpuprofile`)
  writeFileSync(file, JSON.stringify(profile))
  console.log(`  profile written to ${file} (Chrome DevTools > Performance opens it)`)
  const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0)
  const msPerHit = (profile.endTime - profile.startTime) / 1000 / Math.max(1, hits)
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const where = ({ callFrame }: CpuProfile['nodes'][number]) => `${callFrame.functionName || '(anonymous)'} ${callFrame.url.split('/').pop() ?? ''}:${callFrame.lineNumber + 1}`
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  // Total time per function, counted once per call path even where it recurses.
  const visit = (id: number, above: Set<string>): number => {
    const node = nodes.get(id)!
    const name = where(node)
    const own = (node.hitCount ?? 0) * msPerHit
    self.set(name, (self.get(name) ?? 0) + own)
    const inner = new Set(above).add(name)
    const sum = own + (node.children ?? []).reduce((acc, child) => acc + visit(child, inner), 0)
    if (!above.has(name)) total.set(name, (total.get(name) ?? 0) + sum)
    return sum
  }
  visit(profile.nodes[0]!.id, new Set())
  const top = (map: Map<string, number>, label: string) => {
    console.log(`  profile, ${label} (main thread, under load):`)
    for (const [name, ms] of [...map].filter(([name]) => !name.startsWith('(')).sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`    ${ms.toFixed(0).padStart(7)} ms  ${name}`)
  }
  top(self, 'self time')
  top(total, 'total time')
}
