import type { Handlers } from '../../contract'
import { onboardExpressLink, OnboardingError } from '../../core/onboarding'
import { defaultPortSettings } from '../../core/serial'
import { ExpressLinkDriver } from '../../core/serial/drivers/expresslink'
import { deviceEndpoint } from '../mqttEndpoints'
import type { BackendContext } from './context'
import { BackendError } from './errors'
import type { SerialHandlers } from './serial'

// onboarding.*: the ExpressLink flow on a port of the app's SerialPorts, so the serial list shows
// who holds it while it runs and a port the monitor (or anyone) holds is refused, naming the holder.

export const expressLinkOwner = 'ExpressLink onboarding'
/** AT+CONNECT may take up to 120 s on a real module (research §14). */
const connectTimeoutMs = 120_000

export function onboardingHandlers(ctx: BackendContext, serial: SerialHandlers): Pick<Handlers, 'onboarding.expressLink'> {
  return {
    'onboarding.expressLink': async ({ portPath, policyName, thingGroup, runId }) => {
      const connection = ctx.connection()
      const [iot, endpoint] = await Promise.all([ctx.iot(), deviceEndpoint(ctx.session, connection)])
      const handle = await (await serial.ports()).acquire(portPath, expressLinkOwner, defaultPortSettings)
      const driver = new ExpressLinkDriver(handle.stream, { connectTimeoutMs })
      try {
        return await onboardExpressLink(
          {
            endpoint: `${endpoint.host}:${endpoint.port}`,
            // The Local IoT Core's own CA; a module trusts Amazon's roots for real AWS as it comes.
            ...(connection.kind === 'local' ? { rootCaPem: endpoint.caPem } : {}),
            ...(policyName ? { policyName } : {}),
            ...(thingGroup ? { thingGroup } : {})
          },
          {
            iot,
            vault: ctx.session.vault,
            journal: ctx.session.journal,
            connection,
            driver,
            onProgress: (p) => ctx.events.emit('onboarding.progress', p),
            ...(runId ? { runId } : {})
          }
        )
      } catch (error) {
        if (error instanceof OnboardingError) throw new BackendError(error.errorName, error.message)
        throw error
      } finally {
        driver.detach()
        await handle.release()
      }
    }
  }
}
