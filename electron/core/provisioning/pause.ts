import type { ProvisionStep } from '../../contract'

export type PausePoint = 'intent' | 'called'

/**
 * Fault injection for the crash tests, inert unless THINGBENCH_PAUSE_AT=<step>:<point> is set:
 * prints `PAUSED <step>:<point>` and never returns, so the test can SIGKILL the process exactly
 * there. `intent`: the intent is journaled, the call not made; `called`: the call returned, its
 * result not yet journaled.
 */
export async function pauseIfRequested(step: ProvisionStep, point: PausePoint): Promise<void> {
  const wanted = process.env.THINGBENCH_PAUSE_AT
  if (!wanted || wanted !== `${step}:${point}`) return
  process.stdout.write(`PAUSED ${step}:${point}\n`)
  // A pending promise alone does not keep Node alive; the interval does.
  await new Promise<never>(() => setInterval(() => undefined, 1 << 30))
}
