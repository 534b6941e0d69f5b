import type { Handlers } from '../../contract'
import { OnboardingError } from '../../core/onboarding'
import { onboardExpressLinkOnPort } from '../expressLinkOnPort'
import type { BackendContext } from './context'
import { BackendError } from './errors'
import type { SerialHandlers } from './serial'

// onboarding.*: the ExpressLink flow on a port of the app's SerialPorts, so the serial list shows
// who holds it while it runs and a port the monitor (or anyone) holds is refused, naming the holder.

export const expressLinkOwner = 'ExpressLink onboarding'

export function onboardingHandlers(ctx: BackendContext, serial: SerialHandlers): Pick<Handlers, 'onboarding.expressLink'> {
  return {
    'onboarding.expressLink': async ({ portPath, policyName, thingGroup, wifi, runId }) => {
      const connection = ctx.connection()
      const [iot, ports] = await Promise.all([ctx.iot(), serial.ports()])
      try {
        return await onboardExpressLinkOnPort({
          session: ctx.session,
          connection,
          iot,
          ports,
          portPath,
          owner: expressLinkOwner,
          ...(policyName ? { policyName } : {}),
          ...(thingGroup ? { thingGroup } : {}),
          ...(wifi ? { wifi } : {}),
          ...(runId ? { runId } : {}),
          onProgress: (p) => ctx.events.emit('onboarding.progress', p)
        })
      } catch (error) {
        if (error instanceof OnboardingError) throw new BackendError(error.errorName, error.message)
        throw error
      }
    }
  }
}
