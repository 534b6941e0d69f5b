// A test-only `thingbench`: the real CLI (electron/cli, from the sources through tsx) with the
// engine's crash-test hook, which the shipped entry (bin/thingbench.mjs) never passes.
//
//   TB_PAUSE_AT=attachThingPrincipal:called node --import tsx test/support/thingbenchWithHooks.ts provision --thing lamp-1
import { runCli } from '../../electron/cli/index'
import { pauseAt } from './pauseHook'

const hooks = pauseAt(process.env.TB_PAUSE_AT)
process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  ...(hooks ? { provisioningHooks: hooks } : {})
})
