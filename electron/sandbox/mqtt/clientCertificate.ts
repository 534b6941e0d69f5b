import type { TLSSocket } from 'node:tls'
import { certificateIdOf } from '../ca/localCa'
import type { CertificateRecord } from '../state/records'
import type { Store } from '../state/store'

// Who a TLS connection is: AWS identifies a device by its certificate's id (SHA-256 of the DER)
// against the registry, whoever signed it, so certificates registered without a CA connect too.
// Only an ACTIVE certificate may connect.

/** The id of the certificate the client presented, or undefined when it presented none. */
export function presentedCertificateId(socket: TLSSocket): string | undefined {
  // A resumed TLS session may come without the peer certificate: then there is nobody to admit.
  const raw = socket.getPeerCertificate?.(false)?.raw
  return raw && raw.length > 0 ? certificateIdOf(raw) : undefined
}

/** Why the certificate may not connect, or undefined when it may. */
export function certificateRefusal(store: Store, certificateId: string | undefined): string | undefined {
  if (certificateId === undefined) return 'the client presented no certificate'
  const record = store.get<CertificateRecord>('certificates', certificateId)
  if (!record) return `certificate ${certificateId} is not registered`
  if (record.status !== 'ACTIVE') return `certificate ${certificateId} is ${record.status}`
  return undefined
}
