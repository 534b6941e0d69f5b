import type { Handlers } from '../../contract'
import { deviceEndpoint } from '../mqttEndpoints'
import type { BackendContext } from './context'

/**
 * connections.deviceEndpoint: the host and port a device (or MQTTX, mosquitto_sub) connects to with
 * its certificate, for the active connection. The CA stays here; the bundle export writes it.
 */
export function deviceEndpointHandler(ctx: BackendContext): Pick<Handlers, 'connections.deviceEndpoint'> {
  return {
    'connections.deviceEndpoint': async () => {
      const { host, port } = await deviceEndpoint(ctx.session, ctx.connection())
      return { host, port }
    }
  }
}
