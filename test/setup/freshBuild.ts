import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'

// vitest globalSetup: the CLI tests run the built `thingbench` (out/main/cli.js) and the serve
// tests the built UI, exactly as users get them. A build older than its sources would test old
// code, so it is rebuilt first when any source is newer. A lock directory keeps two test runs from
// building into out/ at once. THINGBENCH_SKIP_FRESH_BUILD=1 skips the check, for a development loop
// over tests that never run the build (CI never sets it).

const root = join(__dirname, '..', '..')
const outputs = ['out/main/cli.js', 'out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'].map((p) => join(root, p))
const sources = ['electron', 'renderer', 'resources', 'electron.vite.config.ts', 'package.json'].map((p) => join(root, p))

function newestMtime(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

function isStale(): boolean {
  if (!outputs.every(existsSync)) return true
  const built = Math.min(...outputs.map((p) => statSync(p).mtimeMs))
  return sources.some((p) => existsSync(p) && newestMtime(p) > built)
}

export default async function setup(): Promise<void> {
  if (process.env.THINGBENCH_SKIP_FRESH_BUILD === '1' && !process.env.CI) return
  if (!isStale()) return
  const lock = join(root, 'out', '.building')
  mkdirSync(join(root, 'out'), { recursive: true })
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(lock)
      break
    } catch {
      // Another run is building; a lock older than two minutes belongs to a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true })
      if (attempt > 240) throw new Error(`${lock} has been held for two minutes: remove it if no build is running`)
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }
  try {
    if (isStale()) execFileSync(join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: root, stdio: 'inherit' })
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}
