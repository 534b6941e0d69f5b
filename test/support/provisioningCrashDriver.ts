// Child process for the provisioning kill test: starts a Local IoT Core on a data directory it shares
// with the test, opens a real vault (OS keychain) and journal under THINGBENCH_HOME, and provisions the
// plan in TB_PLAN (TB_EXISTING_KEY: the existing certificate's key to keep). With TB_PAUSE_AT set, the engine's hook (./pauseHook) prints `PAUSED <step>:<point>`
// and waits there to be killed. Prints `FINISHED` if it ran to the end without pausing.
//
//   THINGBENCH_HOME=… TB_SANDBOX_DIR=… TB_SANDBOX_KEY=<64 hex> TB_PLAN='{"thingName":…}' \
//   TB_PAUSE_AT=createThing:intent node --import tsx test/support/provisioningCrashDriver.ts
import { CreateThingGroupCommand } from '@aws-sdk/client-iot'
import { join } from 'node:path'
import { Journal, provision, validatePlan } from '../../electron/core/provisioning'
import { osKeychain, Vault } from '../../electron/core/vault'
import { fixedSecretProtector } from '../integration/provisioning/support/fixedSecretProtector'
import { pauseAt } from './pauseHook'
import { startTestSandbox } from './sandbox'

function required(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`provisioningCrashDriver needs ${name}`)
  return value
}

const home = required('THINGBENCH_HOME')
const checked = validatePlan(JSON.parse(required('TB_PLAN')))
if (!checked.ok) throw new Error(`TB_PLAN is not a valid plan: ${JSON.stringify(checked.problems)}`)

const sandbox = await startTestSandbox({ dataDir: required('TB_SANDBOX_DIR'), secretProtector: fixedSecretProtector(required('TB_SANDBOX_KEY')) })
// The bench as a technician set it up: the plan's groups exist.
for (const thingGroupName of checked.plan.groups) await sandbox.iot.send(new CreateThingGroupCommand({ thingGroupName }))

const vault = await Vault.open(join(home, 'vault.json'), osKeychain())
const journal = await Journal.open(join(home, 'journal'))
const hooks = pauseAt(process.env.TB_PAUSE_AT)
const existingCertificateKey = process.env.TB_EXISTING_KEY
await provision(checked.plan, {
  iot: sandbox.iot,
  vault,
  journal,
  connection: { kind: 'local' },
  ...(hooks ? { hooks } : {}),
  ...(existingCertificateKey ? { existingCertificateKey } : {})
})
process.stdout.write('FINISHED\n')
await sandbox.stop()
