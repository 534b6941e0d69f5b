import type { Handlers } from '../../contract'
import { writeIdentityToDevice } from '../../core/onboarding/jsonLinesProvisioning'
import { deviceEndpoint } from '../mqttEndpoints'
import type { BackendContext } from './context'
import type { SerialHandlers } from './serial'

// provisioning.writeToDevice: the wizard's last step for JSON-lines boards. The port comes from the
// app's SerialPorts (a port someone holds is refused, naming the holder); the private key is read
// from the vault inside core/onboarding and goes only to the port.

export function deviceWriteHandler(ctx: BackendContext, serial: SerialHandlers): Pick<Handlers, 'provisioning.writeToDevice'> {
  return {
    'provisioning.writeToDevice': async ({ portPath, thingName, certificateId }) => {
      const connection = ctx.connection()
      const [iot, endpoint, ports] = await Promise.all([ctx.iot(), deviceEndpoint(ctx.session, connection), serial.ports()])
      return writeIdentityToDevice(
        {
          portPath,
          thingName,
          certificateId,
          endpoint: `${endpoint.host}:${endpoint.port}`,
          // The Local IoT Core's own CA; for AWS the board trusts Amazon Root CA 1 as it comes.
          ...(connection.kind === 'local' ? { rootCaPem: endpoint.caPem } : {})
        },
        {
          iot,
          vault: ctx.session.vault,
          ports,
          onProgress: (progress) => ctx.events.emit('provisioning.deviceWrite', progress),
          log: ctx.session.log.logger.child({ component: 'device-write' })
        }
      )
    }
  }
}
