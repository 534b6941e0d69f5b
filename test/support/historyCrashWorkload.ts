import type { ShadowRef } from '../../electron/core/history'

// The history kill test's workload, shared by the child that writes it (historyCrashDriver.ts) and
// the test that checks what survived (test/integration/history/historyKill.test.ts).

export const historyCrashShadows: readonly ShadowRef[] = [
  { connection: 'local', thingName: 'crash-lamp' },
  { connection: 'local', thingName: 'crash-lamp', shadowName: 'telemetry' }
]

/** The state recorded at `version`: known from the version alone, padding of varying size. */
export function historyCrashState(version: number): { reported: { v: number; pad: string } } {
  return { reported: { v: version, pad: 'x'.repeat((version * 37) % 300) } }
}
