import type { Handlers } from '../../contract'
import { writeIdentityOnPort } from '../identityOnPort'
import type { BackendContext } from './context'
import type { SerialHandlers } from './serial'

// provisioning.writeToDevice: the wizard's last step for JSON-lines boards. The port comes from the
// app's SerialPorts (a port someone holds is refused, naming the holder); the private key is read
// from the vault inside core/onboarding and goes only to the port.

export function deviceWriteHandler(ctx: BackendContext, serial: SerialHandlers): Pick<Handlers, 'provisioning.writeToDevice'> {
  return {
    'provisioning.writeToDevice': async ({ portPath, thingName, certificateId, wifi }) => {
      const connection = ctx.connection()
      const [iot, ports] = await Promise.all([ctx.iot(), serial.ports()])
      return writeIdentityOnPort({
        session: ctx.session,
        connection,
        iot,
        ports,
        portPath,
        thingName,
        certificateId,
        ...(wifi ? { wifi } : {}),
        onProgress: (progress) => ctx.events.emit('provisioning.deviceWrite', progress)
      })
    }
  }
}
