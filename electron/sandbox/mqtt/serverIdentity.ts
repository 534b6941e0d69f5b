import { generateKeyPairSync } from 'node:crypto'
import type { LocalCa } from '../ca/localCa'
import { SANDBOX_ENDPOINT_ADDRESS } from '../endpoint/routes'

// The device gateway's TLS identity: a fresh EC P-256 key made at every start and held only in
// memory, with a certificate from the sandbox CA for the names a client on this machine dials.
// Devices trust the CA, not this certificate, so re-issuing it at each start changes nothing for them.

/** What DescribeEndpoint (iot:Data-ATS, iot:Data) answers, so the SDK's endpoint lookup finds the broker. */
export const GATEWAY_HOST = SANDBOX_ENDPOINT_ADDRESS
export const GATEWAY_SERVER_NAMES = { dnsNames: [GATEWAY_HOST], ipAddresses: ['127.0.0.1', '::1'] }

export interface GatewayTlsIdentity {
  /** PKCS#8 PEM, in memory only (node:tls takes PEM). */
  key: string
  /** The server certificate followed by the CA certificate. */
  certificateChain: string
}

export function gatewayTlsIdentity(ca: LocalCa, now: number): GatewayTlsIdentity {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  const issued = ca.issueServerCertificate(spki, now, GATEWAY_SERVER_NAMES)
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    certificateChain: `${issued.certificatePem.trimEnd()}\n${ca.certificatePem.trimEnd()}\n`
  }
}
