import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
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

/**
 * Starts a long-running command and resolves with the child and the first stdout line matching
 * `until`. `hooked` runs the test-only entry that pauses the engine where TB_PAUSE_AT says.
 */
export async function startThingbench(
  args: string[],
  env: NodeJS.ProcessEnv,
  until: (line: string) => boolean = () => true,
  options: { hooked?: boolean } = {}
): Promise<{ child: ChildProcess; line: string; stderr: () => string }> {
  const entry = options.hooked ? withHooks : [bin]
  const child = spawn(process.execPath, [...entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  const lines = createInterface({ input: child.stdout! })
  const line = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => until(l) && resolve(l))
    child.once('close', (code) => reject(new Error(`thingbench ${args.join(' ')} exited (${code}) before printing the expected line: ${stderr}`)))
  })
  return { child, line, stderr: () => stderr }
}
