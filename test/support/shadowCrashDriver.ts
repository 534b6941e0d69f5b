// Child process for the shadow kill test: starts a Local IoT Core on TB_SANDBOX_DIR (secrets sealed
// with TB_SANDBOX_KEY, so the test can reopen it) and updates every CRASH_SHADOWS shadow over HTTP
// with @aws-sdk/client-iot-data-plane, one update in flight per shadow, until it is killed. Each
// update carries the version it expects (optimistic locking) and the patch for the next version.
// Prints `READY` once serving, then `ACK <label> <version>` after each update was answered.
//
//   TB_SANDBOX_DIR=… TB_SANDBOX_KEY=<64 hex> node --import tsx test/support/shadowCrashDriver.ts
import { GetThingShadowCommand, ResourceNotFoundException, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import { fixedSecretProtector } from '../integration/provisioning/support/fixedSecretProtector'
import { dataPlaneClientFor } from './dataPlane'
import { startTestSandbox } from './sandbox'
import { CRASH_SHADOWS, crashShadowLabel, reportedPatchFor, type CrashShadow } from './shadowCrashWorkload'

function required(name: string): string {
  const value = process.env[name]
  if (!value) throw new Error(`shadowCrashDriver needs ${name}`)
  return value
}

const sandbox = await startTestSandbox({ dataDir: required('TB_SANDBOX_DIR'), secretProtector: fixedSecretProtector(required('TB_SANDBOX_KEY')) })
const data = dataPlaneClientFor(sandbox.core)
const encoder = new TextEncoder()

async function currentVersion(shadow: CrashShadow): Promise<number> {
  try {
    const { payload } = await data.send(new GetThingShadowCommand(shadow))
    return (JSON.parse(new TextDecoder().decode(payload)) as { version: number }).version
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return 0
    throw error
  }
}

async function keepUpdating(shadow: CrashShadow): Promise<never> {
  let version = await currentVersion(shadow)
  for (;;) {
    const next = version + 1
    const payload = encoder.encode(JSON.stringify({ state: { reported: reportedPatchFor(next) }, version }))
    const { payload: answer } = await data.send(new UpdateThingShadowCommand({ ...shadow, payload }))
    const accepted = (JSON.parse(new TextDecoder().decode(answer)) as { version: number }).version
    if (accepted !== next) throw new Error(`${crashShadowLabel(shadow)}: expected version ${next}, the sandbox answered ${accepted}`)
    process.stdout.write(`ACK ${crashShadowLabel(shadow)} ${accepted}\n`)
    version = accepted
  }
}

process.stdout.write('READY\n')
await Promise.all(CRASH_SHADOWS.map(keepUpdating))
