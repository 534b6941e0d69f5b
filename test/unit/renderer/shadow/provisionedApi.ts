import type { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import { startTestApi, type TestApi } from '../../../support/apiBackend'

/**
 * The real back end in-process with things provisioned through the contract, and the session's
 * own data-plane client on the Local IoT Core — "outside the app" for the stores under test.
 */
export async function startProvisionedApi(thingNames: string[]): Promise<{ t: TestApi; dataPlane: IoTDataPlaneClient }> {
  const t = await startTestApi()
  for (const thingName of thingNames) {
    const outcome = await t.api.call('provisioning.run', { plan: { thingName } })
    if (outcome.outcome !== 'provisioned') throw new Error(JSON.stringify(outcome))
  }
  return { t, dataPlane: await t.session.deviceSide.dataPlane({ kind: 'local' }) }
}
