import type { TLSSocket } from 'node:tls'
import type { SandboxContext } from '../context'
import { IotError } from '../http/iotError'
import type { RequestAuthorizer } from '../http/requestAuthorizer'
import { certificateRefusal, presentedCertificateId } from '../mqtt/clientCertificate'
import { authorizeDevice } from '../policies/connectionAuthorization'

// The device data plane's caller is the X.509 certificate it presented in the TLS handshake (AWS's
// port 8443), identified by fingerprint and only while ACTIVE, as on the MQTT gateway; every call is
// then judged by that certificate's IoT policies against the permissions the route names, read from
// the registry at that moment. Over HTTP there is no client id and no thing variables
// (policies/connectionAuthorization.ts). The SDKs sign every request with SigV4 whatever the
// endpoint; here the certificate alone says who calls, so an Authorization header is not read
// (UNCONFIRMED what AWS does with one on 8443; clients that sign work against it in practice).

const forbidden = (message: string): IotError => new IotError('ForbiddenException', 403, message)

export function deviceAuthorizer(ctx: Pick<SandboxContext, 'store' | 'arn'>): RequestAuthorizer {
  return {
    async authenticate(request) {
      const socket = request.socket as TLSSocket
      const certificateId = presentedCertificateId(socket)
      const refusal = certificateRefusal(ctx.store, certificateId)
      if (refusal !== undefined || certificateId === undefined)
        throw forbidden(
          `Forbidden: ${refusal ?? 'no certificate'}. This endpoint takes a device's registered, ACTIVE X.509 certificate ` +
            '(e.g. curl --cert <certificate> --key <private key>); with IAM credentials and SigV4 call dataPlaneUrl instead.'
        )
      const sourceIp = socket.remoteAddress?.replace(/^::ffff:/, '')
      return { kind: 'certificate', certificateId, ...(sourceIp !== undefined ? { sourceIp } : {}) }
    },
    authorize(principal, route, request) {
      if (principal.kind !== 'certificate') throw forbidden('Forbidden: the device data plane serves certificates only.')
      if (!route.iotPermissions) throw forbidden(`Forbidden: ${route.operation} is not open to devices.`)
      const { kind: _kind, ...device } = principal
      const identity = { ...device, protocol: 'http' as const }
      for (const permission of route.iotPermissions(request)) {
        const resource = permission.resource === '*' ? '*' : ctx.arn(permission.resource)
        const result = authorizeDevice(ctx.store, identity, { action: permission.action, resource })
        if (result.decision === 'ALLOWED') continue
        const why =
          result.decision === 'EXPLICIT_DENY'
            ? `policy ${result.deniedBy[0]!.policyName} denies it explicitly`
            : 'no statement of its policies allows it (thing policy variables do not resolve over HTTP: name the thing in the policy)'
        throw forbidden(`Forbidden: certificate ${principal.certificateId} may not ${permission.action} on ${resource}: ${why}.`)
      }
    }
  }
}
