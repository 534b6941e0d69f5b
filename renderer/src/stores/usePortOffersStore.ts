import { defineStore } from 'pinia'
import { onScopeDispose, ref } from 'vue'
import { useApi } from '../api/useApi'
import { rememberedRef } from './support/remembered'

// Many boards in a row: once a board was provisioned over a cable on this machine, each port that
// appears afterwards is offered "Provision this device" the same way as the last one — an
// ExpressLink module onboarded, or a JSON-lines board given a new thing's identity. Which way is
// remembered here; the flows themselves are useOnboardingStore's and useBoardProvisioningStore's.

export type CableProvisioning = 'expressLink' | 'jsonLines'

const isKind = (value: unknown): value is CableProvisioning | null => value === null || value === 'expressLink' || value === 'jsonLines'

export const usePortOffersStore = defineStore('portOffers', () => {
  const api = useApi()

  /** How the last board was provisioned over a cable here; null until one was. */
  const lastKind = rememberedRef<CableProvisioning | null>('portOffers.lastKind', null, isKind)
  /** Ports that appeared since, in the order they came. */
  const offers = ref<string[]>([])
  /** Ports a flow is running on: no offer for them (a finished one's port is offered again: the next board on the same cable). */
  const busy = new Set<string>()

  /** A board was provisioned this way: the next new ports are offered the same. */
  function learned(kind: CableProvisioning): void {
    lastKind.value = kind
  }

  /** A flow started on the port (from the offer or by hand): its offer goes. */
  function taken(portPath: string): void {
    busy.add(portPath)
    offers.value = offers.value.filter((p) => p !== portPath)
  }

  /** The flow on the port ended, whichever way. */
  function released(portPath: string): void {
    busy.delete(portPath)
  }

  function dismiss(portPath: string): void {
    offers.value = offers.value.filter((p) => p !== portPath)
  }

  function portsChanged(added: string[], removed: string[]): void {
    const fresh = lastKind.value ? added.filter((p) => !busy.has(p) && !offers.value.includes(p)) : []
    offers.value = [...offers.value.filter((p) => !removed.includes(p)), ...fresh]
  }

  const stops = [api.on('serial.portsChanged', ({ added, removed }) => portsChanged(added, removed))]
  onScopeDispose(() => stops.forEach((stop) => stop()))

  return { lastKind, offers, learned, taken, released, dismiss }
})
