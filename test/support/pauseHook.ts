import type { ProvisionStep } from '../../electron/contract'
import type { ProvisioningHooks, WritePoint } from '../../electron/core/provisioning'

// The crash tests' fault injection, passed to the engine as its hooks by test-only entry points
// (never read by shipped code): at `<step>:<point>` it prints `PAUSED <step>:<point>` and never
// returns, so the test can SIGKILL the process exactly there.

export function pauseAt(wanted: string | undefined): ProvisioningHooks | undefined {
  if (!wanted) return undefined
  return {
    async onStep(step: ProvisionStep, point: WritePoint) {
      if (`${step}:${point}` !== wanted) return
      process.stdout.write(`PAUSED ${step}:${point}\n`)
      // A pending promise alone does not keep Node alive; the interval does.
      await new Promise<never>(() => setInterval(() => undefined, 1 << 30))
    }
  }
}
