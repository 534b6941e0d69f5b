import type { ProvisionStep } from '@contract/provisioning'
import type { RunStepStatus } from '../../stores/useProvisioningStore'

/** A run's steps in words a technician reads at a glance. */
export const runStepLabels: Record<ProvisionStep, string> = {
  generateKey: 'Generate the key pair',
  createCertificate: 'Create the certificate',
  storeKey: 'Keep the private key in the vault',
  activateCertificate: 'Activate the certificate',
  createThing: 'Create the thing',
  createPolicy: 'Create the policy',
  attachPolicy: 'Attach the policy to the certificate',
  attachThingPrincipal: 'Attach the certificate to the thing',
  addToGroups: 'Add the thing to its groups'
}

export const statusLabels: Record<RunStepStatus | 'started', string> = {
  pending: 'waiting',
  started: 'running…',
  done: 'done',
  skipped: 'skipped',
  failed: 'failed'
}

export const statusTagTypes: Record<RunStepStatus, 'default' | 'info' | 'success' | 'warning' | 'error'> = {
  pending: 'default',
  started: 'info',
  done: 'success',
  skipped: 'warning',
  failed: 'error'
}

/**
 * An undo action in words: the vault files a new key under the run's id until its certificate
 * exists, which is bookkeeping, not the user's data; it is named for what it is instead.
 */
export function undoActionLabel(action: string, runId: string | null): string {
  const vaultKey = /^delete vault key (.+)$/.exec(action)?.[1]
  if (vaultKey === undefined) return action
  if (vaultKey === runId) return 'delete the new private key from the vault'
  return /^[0-9a-f]{64}$/.test(vaultKey) ? `delete the private key of certificate ${vaultKey.slice(0, 12)}… from the vault` : 'delete the new private key from the vault'
}
