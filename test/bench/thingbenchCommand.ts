import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

// The built CLI (bin/thingbench.mjs) as the browser benchmarks run it: `thingbench sandbox` and
// `thingbench serve`, each announcing itself with a JSON line on stdout.

const bin = join(fileURLToPath(new URL('../..', import.meta.url)), 'bin', 'thingbench.mjs')

/** Starts `thingbench <args>` and resolves with its first JSON line. */
export async function startCommand(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; info: Record<string, unknown> }> {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout! })
  const line = await new Promise<string>((ok, fail) => {
    lines.on('line', (l) => l.startsWith('{') && ok(l))
    child.once('close', (code) => fail(new Error(`thingbench ${args[0]} exited (${code})`)))
  })
  return { child, info: JSON.parse(line) as Record<string, unknown> }
}

export async function stopCommand(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const closed = once(child, 'close')
  child.kill('SIGTERM')
  await closed
}
