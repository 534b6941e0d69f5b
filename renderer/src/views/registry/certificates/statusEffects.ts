import type { CertificateStatus } from '../../../stores/useCertificatesStore'

export const certificateStatuses: readonly CertificateStatus[] = ['ACTIVE', 'INACTIVE', 'REVOKED']

/** What a status change does, said before the user confirms it. */
export const statusEffect: Record<CertificateStatus, string> = {
  ACTIVE: 'Devices holding this certificate and its private key can connect to AWS IoT again, with the permissions of its attached policies.',
  INACTIVE: 'AWS IoT refuses connections made with this certificate until it is activated again. Nothing is deleted.',
  REVOKED:
    'AWS IoT refuses this certificate for good: a revoked certificate can never be made active again, in AWS as here. Revoke only a certificate whose private key may be compromised; otherwise deactivate it.'
}

/** Whether the status may change from `current` to `next` (AWS: REVOKED is final). */
export function canChangeStatus(current: string, next: CertificateStatus): boolean {
  return current !== next && current !== 'REVOKED'
}
