import type { IoTClient } from '@aws-sdk/client-iot'
import type { Connection } from '../contract'
import type { DeviceWriteProgress, DeviceWriteResult } from '../contract/jsonLinesProvisioning'
import type { WifiSettings } from '../contract/serial'
import { writeIdentityToDevice } from '../core/onboarding/jsonLinesProvisioning'
import type { SerialPorts } from '../core/serial'
import { deviceEndpoint } from './mqttEndpoints'
import type { AppSession } from './session'

// A thing's identity written to the JSON-lines board on a port of a SerialPorts, shared by
// provisioning.writeToDevice (the wizard) and `thingbench device write` (the CLI): here the
// connection becomes the endpoint and CA the board is given; core checks the certificate, the
// thing and the key before it touches the port, and sends the key to the port only.

export interface IdentityOnPortRequest {
  session: AppSession
  connection: Connection
  iot: IoTClient
  ports: SerialPorts
  portPath: string
  thingName: string
  certificateId: string
  wifi?: WifiSettings
  onProgress?: (progress: DeviceWriteProgress) => void
}

/** Writes the identity and waits for the board to connect; rejects with core's DeviceWriteError. */
export async function writeIdentityOnPort(request: IdentityOnPortRequest): Promise<DeviceWriteResult> {
  const { session, connection } = request
  const endpoint = await deviceEndpoint(session, connection)
  return writeIdentityToDevice(
    {
      portPath: request.portPath,
      thingName: request.thingName,
      certificateId: request.certificateId,
      endpoint: `${endpoint.host}:${endpoint.port}`,
      // The Local IoT Core's own CA; for AWS the board trusts Amazon Root CA 1 as it comes.
      ...(connection.kind === 'local' ? { rootCaPem: endpoint.caPem } : {}),
      ...(request.wifi ? { wifi: request.wifi } : {})
    },
    {
      iot: request.iot,
      vault: session.vault,
      ports: request.ports,
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      log: session.log.logger.child({ component: 'device-write' })
    }
  )
}
