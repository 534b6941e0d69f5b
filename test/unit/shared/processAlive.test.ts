import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { isProcessAlive } from '../../../electron/shared/processAlive'

// The one "is that owner still running?" check behind the sandbox's data-directory lock, the
// journal's run ownership and the serving file of `thingbench sandbox`.
describe('isProcessAlive', () => {
  it('sees this process and a running child, and not the child once it has exited', async () => {
    expect(isProcessAlive(process.pid)).toBe(true)
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' })
    await once(child, 'spawn')
    const pid = child.pid!
    expect(isProcessAlive(pid)).toBe(true)
    child.kill('SIGKILL')
    await once(child, 'exit')
    expect(isProcessAlive(pid)).toBe(false)
  })

  it('sees pid 1, which a normal user may not signal (EPERM means alive)', () => {
    expect(isProcessAlive(1)).toBe(true)
  })

  it('is false for values that are not one process id (0 and -1 would name process groups)', () => {
    for (const pid of [0, -1, 1.5, Number.NaN]) expect(isProcessAlive(pid), String(pid)).toBe(false)
  })
})
