// npm run bench:cli [-- --runs N]
// The cost of starting the `thingbench` command, as a technician's script pays it: p50 over N runs
// (default 10) of `node -e 0`, `thingbench --help`, and one `thingbench provision` (EC key, CSR path,
// shadow policy) against a `thingbench sandbox` serving the same home. Targets: --help <= 3x node -e 0,
// provision <= 10x. Runs the built CLI (out/main/cli.js): `npm run bench:cli` builds first.
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { cliEnv, startThingbench } from '../support/thingbenchProcess'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } })
const runs = Number(values.runs)
const bin = join(import.meta.dirname, '..', '..', 'bin', 'thingbench.mjs')

function timeOnce(args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return ms
}

function p50(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const home = await mkdtemp(join(tmpdir(), 'thingbench-bench-cli-'))
const env = cliEnv(home)
const sandbox = await startThingbench(['sandbox'], env, (line) => line.startsWith('{'))
try {
  // One untimed run of each fills Node's compile cache, as any second use of the command would find it.
  timeOnce(['-e', '0'], env)
  timeOnce([bin, '--help'], env)
  timeOnce([bin, 'provision', '--thing', 'bench-cli-warmup'], env)

  const nodeRuns = Array.from({ length: runs }, () => timeOnce(['-e', '0'], env))
  const helpRuns = Array.from({ length: runs }, () => timeOnce([bin, '--help'], env))
  const provisionRuns = Array.from({ length: runs }, (_, i) => timeOnce([bin, 'provision', '--thing', `bench-cli-${i}`], env))

  const base = p50(nodeRuns)
  const rows = [
    { what: 'node -e 0', p50: base, target: undefined },
    { what: 'thingbench --help', p50: p50(helpRuns), target: 3 },
    { what: 'thingbench provision (serving sandbox)', p50: p50(provisionRuns), target: 10 }
  ]
  console.log(`bench:cli — Node ${process.version}, ${runs} runs each, p50`)
  for (const row of rows) {
    const ratio = row.p50 / base
    const verdict = row.target === undefined ? '' : `  ${ratio.toFixed(1)}x node -e 0 (target <= ${row.target}x: ${ratio <= row.target ? 'met' : 'NOT met'})`
    console.log(`  ${row.what.padEnd(40)} ${row.p50.toFixed(1).padStart(7)} ms${verdict}`)
  }
} finally {
  sandbox.child.kill('SIGTERM')
  await new Promise((resolve) => sandbox.child.once('close', resolve))
  await rm(home, { recursive: true, force: true })
}

