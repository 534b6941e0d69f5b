import type { SandboxContext } from '../context'
import { invalidRequest } from '../http/iotError'
import type { Route } from '../http/route'

// DescribeEndpoint (research/iot-core.md §4.8). On AWS each type has its own host name under the
// account's endpoint prefix; on loopback nothing but `localhost` resolves, so every type answers it.

export const ENDPOINT_TYPES = ['iot:Data', 'iot:Data-ATS', 'iot:CredentialProvider', 'iot:Jobs'] as const
export const SANDBOX_ENDPOINT_ADDRESS = 'localhost'

export function endpointRoutes(_ctx: SandboxContext): Route[] {
  return [
    {
      operation: 'DescribeEndpoint',
      method: 'GET',
      pattern: '/endpoint',
      handler(req) {
        const endpointType = req.query.get('endpointType')
        if (endpointType !== null && !ENDPOINT_TYPES.some((type) => type.toLowerCase() === endpointType.toLowerCase()))
          throw invalidRequest(`Endpoint type '${endpointType}' is not valid. Use one of ${ENDPOINT_TYPES.join(', ')}.`)
        return { body: { endpointAddress: SANDBOX_ENDPOINT_ADDRESS } }
      }
    }
  ]
}
