import type { ProvisioningHooks } from '../core/provisioning'

/** What a command runs with: its environment and output streams (tests pass their own). */
export interface CommandContext {
  env: NodeJS.ProcessEnv
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  home: string
  /** Only a test-only entry passes these (test/support/thingbenchWithHooks.ts); bin/thingbench.mjs never does. */
  provisioningHooks?: ProvisioningHooks
}
