import type { IoTClient } from '@aws-sdk/client-iot'
import type { Connection } from '../contract'
import type { ExpressLinkOnboardingResult, OnboardingProgress } from '../contract/onboarding'
import type { WifiSettings } from '../contract/serial'
import { onboardExpressLink } from '../core/onboarding'
import { defaultPortSettings, type SerialPorts } from '../core/serial'
import { ExpressLinkDriver } from '../core/serial/drivers/expresslink'
import { deviceEndpoint } from './mqttEndpoints'
import type { AppSession } from './session'

// The ExpressLink flow on a port of a SerialPorts, shared by onboarding.expressLink (the app) and
// `thingbench onboard` (the CLI): the port is held under `owner` while it runs, so the serial list
// says who has it, and a port someone else holds is refused naming the holder.

/** AT+CONNECT may take up to 120 s on a real module (research §14). */
const connectTimeoutMs = 120_000

export interface ExpressLinkOnPortRequest {
  session: AppSession
  connection: Connection
  iot: IoTClient
  ports: SerialPorts
  portPath: string
  owner: string
  policyName?: string
  thingGroup?: string
  wifi?: WifiSettings
  runId?: string
  onProgress?: (p: OnboardingProgress) => void | Promise<void>
}

/** Runs the flow; rejects with the core's OnboardingError (after the undo) when a step fails. */
export async function onboardExpressLinkOnPort(request: ExpressLinkOnPortRequest): Promise<ExpressLinkOnboardingResult> {
  const { session, connection } = request
  const endpoint = await deviceEndpoint(session, connection)
  const handle = await request.ports.acquire(request.portPath, request.owner, defaultPortSettings)
  const driver = new ExpressLinkDriver(handle.stream, { connectTimeoutMs })
  try {
    return await onboardExpressLink(
      {
        endpoint: `${endpoint.host}:${endpoint.port}`,
        // The Local IoT Core's own CA; a module trusts Amazon's roots for real AWS as it comes.
        ...(connection.kind === 'local' ? { rootCaPem: endpoint.caPem } : {}),
        ...(request.policyName ? { policyName: request.policyName } : {}),
        ...(request.thingGroup ? { thingGroup: request.thingGroup } : {}),
        ...(request.wifi ? { wifi: request.wifi } : {})
      },
      {
        iot: request.iot,
        vault: session.vault,
        journal: session.journal,
        connection,
        driver,
        ...(request.onProgress ? { onProgress: request.onProgress } : {}),
        ...(request.runId ? { runId: request.runId } : {})
      }
    )
  } finally {
    driver.detach()
    await handle.release()
  }
}
