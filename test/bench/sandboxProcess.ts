import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { LocalIotCoreInfo } from '../../electron/sandbox'
import { cliEnv } from '../support/thingbenchProcess'

// `thingbench sandbox` in a process of its own, so a benchmark can read the Local IoT Core's memory
// and CPU apart from the clients'. It runs the CLI's entry from the sources (through tsx), so it
// measures the code in the tree without an electron-vite build writing the shared out/ folder.
// It announces itself in `home`: an AppSession on the same home finds and uses it.

const cliEntry = join(import.meta.dirname, '..', '..', 'electron', 'cli', 'main.ts')

export interface SandboxProcess {
  pid: number
  info: Omit<LocalIotCoreInfo, 'secretAccessKey'>
  /** Resident set size now, from /proc/<pid>/status (VmRSS), in MB. */
  rssMb(): number
  /** User + system CPU time the process has used so far, in seconds (/proc/<pid>/stat). */
  cpuSeconds(): number
  stop(): Promise<void>
}

export async function startSandboxProcess(home: string): Promise<SandboxProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', cliEntry, 'sandbox'], { env: cliEnv(home), stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  const lines = createInterface({ input: child.stdout! })
  const line = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => l.startsWith('{') && resolve(l))
    child.once('close', (code) => reject(new Error(`thingbench sandbox exited (${code}) before printing its JSON line: ${stderr}`)))
  })
  const { secretAccessKey: _secret, ...info } = JSON.parse(line) as LocalIotCoreInfo
  const pid = child.pid!
  const clockTicks = 100 // USER_HZ on Linux
  return {
    pid,
    info,
    rssMb() {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
      if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`)
      return Number(match[1]) / 1024
    },
    cpuSeconds() {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return (Number(fields[11]) + Number(fields[12])) / clockTicks
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const closed = once(child, 'close')
      child.kill('SIGTERM')
      await closed
    }
  }
}
