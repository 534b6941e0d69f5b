import { defineStore } from 'pinia'
import { onScopeDispose, ref } from 'vue'
import type { BenchDriver, BenchView } from '@contract/bench'
import type { ShadowKeyView } from '@contract/shadow'
import { useApi } from '../api/useApi'
import { shadowIdOf } from './support/shadowId'
import { trackedCall } from './support/trackedCall'
import type { PortSettings } from './useSerialStore'

const sameShadow = (bench: BenchView, key: ShadowKeyView): boolean => bench.thingName === key.thingName && bench.shadowName === key.shadowName

/**
 * The serial benches: boards attached to a shadow (bench.*). Each bench.event carries the bench as
 * it is now, so the list follows the back end without computing anything here; a detached bench
 * leaves its reason behind for its shadow until the next attach.
 */
export const useBenchStore = defineStore('bench', () => {
  const api = useApi()
  const benches = ref<BenchView[]>([])
  /** Why each shadow's bench last ended, by shadow id. */
  const endings = ref<Record<string, string>>({})
  const error = ref<unknown>(null)
  const attachCall = trackedCall(error)
  const detachCall = trackedCall(error)
  const listCall = trackedCall(error)

  function upsert(view: BenchView): void {
    const index = benches.value.findIndex((bench) => bench.benchId === view.benchId)
    benches.value = index < 0 ? [...benches.value, view] : benches.value.map((bench, i) => (i === index ? view : bench))
  }

  function remove(view: BenchView, reason: string): void {
    benches.value = benches.value.filter((bench) => bench.benchId !== view.benchId)
    endings.value = { ...endings.value, [shadowIdOf(view)]: reason }
  }

  const stopListening = api.on('bench.event', ({ event, bench }) => (event.type === 'detached' ? remove(bench, event.reason) : upsert(bench)))
  onScopeDispose(stopListening)

  async function refresh(): Promise<boolean> {
    return listCall.run(async () => {
      benches.value = await api.call('bench.list', {})
    })
  }

  /** The bench attached to this shadow, if any. */
  const benchFor = (key: ShadowKeyView): BenchView | undefined => benches.value.find((bench) => sameShadow(bench, key))
  const endingFor = (key: ShadowKeyView): string | undefined => endings.value[shadowIdOf(key)]

  async function attach(key: ShadowKeyView, portPath: string, driver: BenchDriver, settings?: PortSettings): Promise<boolean> {
    return attachCall.run(async () => {
      const view = await api.call('bench.attach', { portPath, ...key, driver, ...(settings ? { settings } : {}) })
      const others = { ...endings.value }
      delete others[shadowIdOf(key)]
      endings.value = others
      upsert(view)
    })
  }

  async function detach(benchId: string): Promise<boolean> {
    return detachCall.run(async () => {
      await api.call('bench.detach', { benchId })
    })
  }

  return {
    benches,
    error,
    attaching: attachCall.pending,
    detaching: detachCall.pending,
    refresh,
    benchFor,
    endingFor,
    attach,
    detach
  }
})
