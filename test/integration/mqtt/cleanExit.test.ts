import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDeviceWorld, type DeviceWorld } from './support/deviceWorld'

// research/electron-hazards.md §1.4–1.5: aws-crt must not keep a process alive (or crash it) after
// its connections are closed. A child process connects, publishes, calls closeAll() and must then
// exit on its own, with status 0, within a few seconds.

let world: DeviceWorld

beforeAll(async () => {
  world = await startDeviceWorld()
  await world.provisionThing('lamp-exit')
})
afterAll(async () => {
  await world.close()
})

describe('clean shutdown', () => {
  it('a process that connected exits by itself within a few seconds of closeAll()', async () => {
    const { core } = world.sandbox
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support', 'connectThenCloseAll.ts')], {
      stdio: ['pipe', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdin.end(
      JSON.stringify({
        vaultFile: world.vaultFile,
        controlPlaneUrl: core.controlPlaneUrl,
        region: core.region,
        accessKeyId: core.accessKeyId,
        secretAccessKey: core.secretAccessKey,
        thingName: 'lamp-exit',
        endpoint: world.endpoint
      })
    )
    let closedAt = 0
    child.stdout.on('data', () => {
      if (!closedAt && stdout.includes('"closed"')) closedAt = Date.now()
    })
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      child.on('exit', (code, signal) => {
        clearTimeout(timer)
        resolve({ code, signal })
      })
    })
    expect(stderr).toBe('')
    expect(stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual([{ state: 'connected', sessionPresent: false }, { state: 'closed' }])
    expect(exit).toEqual({ code: 0, signal: null })
    expect(Date.now() - closedAt).toBeLessThan(3000)
  }, 30_000)
})
