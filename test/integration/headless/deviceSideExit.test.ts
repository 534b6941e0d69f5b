import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// research/electron-hazards.md §1.4–1.5 for the contract's device side: a back end closed while a
// shadow watch, a simulated device and subscriptions are open stops each of them (and says so),
// and its process then exits by itself — no aws-crt connection or timer left behind.

describe('closing the back end with the device side in use', () => {
  it('stops every watch, device and subscription, and the process exits by itself', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support', 'deviceSideThenClose.ts')], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let printedAt = 0
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      printedAt ||= Date.now()
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 40_000)
      child.on('exit', (code, signal) => {
        clearTimeout(timer)
        resolve({ code, signal })
      })
    })
    expect(stderr).toBe('')
    expect(exit).toEqual({ code: 0, signal: null })
    expect(Date.now() - printedAt).toBeLessThan(3000)
    const ends = JSON.parse(stdout) as Array<{ event: string; because: string }>
    expect(ends.sort((a, b) => a.event.localeCompare(b.event))).toEqual([
      { event: 'device.event', because: 'closing' },
      { event: 'mqtt.subscriptionEnded', because: 'closing' },
      { event: 'mqtt.subscriptionEnded', because: 'closing' },
      { event: 'shadow.watchState', because: 'closing' }
    ])
  }, 60_000)
})
