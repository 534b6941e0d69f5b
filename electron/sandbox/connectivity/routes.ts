import type { SandboxContext } from '../context'
import { bodyObject, epochSeconds, optionalBoolean } from '../http/input'
import type { Route } from '../http/route'
import type { ClientConnectivity } from '../mqtt/clientConnectivity'
import { requireThing } from '../registry/lookups'

// GetThingConnectivityData (DG device-connectivity-status.md): a thing's live connection state, for
// the connection whose client id is the thing's name. AWS answers it once fleet indexing's
// connectivity mode is on; the sandbox has it always. A thing that never connected is `connected:
// false` with nothing else; socket details only when asked (includeSocketInformation).

export function connectivityRoutes(ctx: SandboxContext, connectivity: ClientConnectivity): Route[] {
  return [
    {
      operation: 'GetThingConnectivityData',
      method: 'POST',
      pattern: '/things/{thingName}/connectivity-data',
      handler(req) {
        const thingName = req.params['thingName']!
        requireThing(ctx, thingName)
        const withSocket = optionalBoolean(bodyObject(req), 'includeSocketInformation') ?? false
        const record = connectivity.of(thingName)
        if (!record) return { body: { thingName, connected: false } }
        return {
          body: {
            thingName,
            connected: record.connected,
            timestamp: epochSeconds(record.timestamp),
            disconnectReason: record.connected ? 'NONE' : (record.disconnectReason ?? 'UNKNOWN'),
            clientId: thingName,
            keepAliveDuration: record.keepAliveSeconds,
            cleanSession: record.cleanSession,
            ...(withSocket && record.sourceIp !== undefined ? { sourceIp: record.sourceIp } : {})
          }
        }
      }
    }
  ]
}
