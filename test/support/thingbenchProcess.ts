import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

// Runs the real `thingbench` command (bin/thingbench.mjs) as a child process.

const bin = join(import.meta.dirname, '..', '..', 'bin', 'thingbench.mjs')
/** The same CLI from the sources with the engine's crash-test hook (TB_PAUSE_AT): for the kill tests only. */
const withHooks = ['--import', 'tsx', join(import.meta.dirname, 'thingbenchWithHooks.ts')]

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Environment for a child: the test's keyring session, a fresh home, no stray AWS settings. */
export function cliEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, THINGBENCH_HOME: home, ...extra }
  for (const key of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'TB_PAUSE_AT'])
    if (!(key in extra)) delete env[key]
  return env
}

export async function runThingbench(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null]
  return { code, signal, stdout, stderr }
}

/** A running command; every line it printed is kept, so later ones can be awaited in order. */
export interface RunningThingbench {
  child: ChildProcess
  /** The first line that matched `until`. */
  line: string
  stderr: () => string
  /** Resolves with the first stdout line (or stderr, with `stream`) matching `until`, printed so far or later; rejects if the command exits first. */
  waitForLine(until: (line: string) => boolean, options?: { stream?: 'stdout' | 'stderr' }): Promise<string>
}

/**
 * Starts a long-running command and resolves with the child and the first stdout line matching
 * `until` (a stderr line with `readyOn: 'stderr'`). `hooked` runs the test-only entry that pauses
 * the engine where TB_PAUSE_AT says.
 */
export async function startThingbench(
  args: string[],
  env: NodeJS.ProcessEnv,
  until: (line: string) => boolean = () => true,
  options: { hooked?: boolean; readyOn?: 'stdout' | 'stderr' } = {}
): Promise<RunningThingbench> {
  const entry = options.hooked ? withHooks : [bin]
  const child = spawn(process.execPath, [...entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  const printed = { stdout: [] as string[], stderr: [] as string[] }
  const waiters = new Set<{ stream: 'stdout' | 'stderr'; until: (line: string) => boolean; resolve: (line: string) => void }>()
  for (const stream of ['stdout', 'stderr'] as const)
    createInterface({ input: child[stream]! }).on('line', (line) => {
      printed[stream].push(line)
      for (const waiter of waiters)
        if (waiter.stream === stream && waiter.until(line)) {
          waiters.delete(waiter)
          waiter.resolve(line)
        }
    })
  let exited: string | undefined
  const exit = new Promise<never>((_resolve, reject) => {
    child.once('close', (code, signal) => {
      exited = `thingbench ${args.join(' ')} exited (${code ?? signal}) before printing the expected line: ${stderr}`
      reject(new Error(exited))
    })
  })
  exit.catch(() => undefined)
  const waitForLine = (match: (line: string) => boolean, wait: { stream?: 'stdout' | 'stderr' } = {}): Promise<string> => {
    const stream = wait.stream ?? 'stdout'
    const seen = printed[stream].find(match)
    if (seen !== undefined) return Promise.resolve(seen)
    if (exited !== undefined) return Promise.reject(new Error(exited))
    return Promise.race([new Promise<string>((resolve) => waiters.add({ stream, until: match, resolve })), exit])
  }
  const line = await waitForLine(until, { stream: options.readyOn ?? 'stdout' })
  return { child, line, stderr: () => stderr, waitForLine }
}

/** A fresh home with `thingbench sandbox` serving it and things provisioned by `thingbench provision`. */
export interface ServingHome {
  home: string
  env(): NodeJS.ProcessEnv
  thingbench(...args: string[]): Promise<CliResult>
  stop(): Promise<void>
}

export async function startServingHome(prefix: string, things: string[]): Promise<ServingHome> {
  const home = await mkdtemp(join(tmpdir(), prefix))
  const env = () => cliEnv(home)
  const thingbench = (...args: string[]) => runThingbench(args, env())
  const sandbox = await startThingbench(['sandbox'], env())
  for (const thing of things) {
    const provisioned = await thingbench('provision', '--thing', thing, '--json')
    if (provisioned.code !== 0) throw new Error(`thingbench provision --thing ${thing} failed: ${provisioned.stderr}`)
  }
  return {
    home,
    env,
    thingbench,
    async stop() {
      sandbox.child.kill('SIGTERM')
      if (sandbox.child.exitCode === null) await once(sandbox.child, 'close')
      await rm(home, { recursive: true, force: true })
    }
  }
}
