import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { until } from './until'

// A simulator run by its own command (`npm run device:thermostat`, `npm run device:expresslink`),
// as a technician starts one by hand: its own process, so its MQTT client runs in plain Node even
// when the test runs in a DOM environment (mqtt.js takes a window for a browser and would not dial TLS).

export interface DeviceProcess {
  /** The host end of its socat pair, as it printed it. */
  hostPath: string
  /** Ctrl-C: the simulator unplugs itself and exits. */
  stop(): Promise<void>
}

const scripts = { thermostat: 'test/devices/thermostat/main.ts', expresslink: 'test/devices/expresslink/main.ts' } as const

export async function startDeviceProcess(device: keyof typeof scripts, args: string[]): Promise<DeviceProcess> {
  // tsx itself, as the npm script runs it (npx would not pass Ctrl-C on).
  const child = spawn(join('node_modules', '.bin', 'tsx'), [scripts[device], '--quiet', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let printed = ''
  let errors = ''
  child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
    await exited
  }
  try {
    const hostPath = await until(() => child.exitCode === null && /Open this port in ThingBench \([^)]*\):\n\s+(\S+)/.exec(printed)?.[1], `the port ${device} prints`, 30_000)
    return { hostPath, stop }
  } catch (error) {
    await stop()
    throw new Error(`${(error as Error).message}; it said: ${errors.trim() || printed.trim() || '(nothing)'}`)
  }
}
