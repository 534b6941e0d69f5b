import { defineStore } from 'pinia'
import { onScopeDispose, ref } from 'vue'
import { deviceWriteSteps, type DeviceWriteProgress, type DeviceWriteResult, type DeviceWriteStep } from '@contract/jsonLinesProvisioning'
import type { ProvisionPlanInput } from '@contract/provisioning'
import { useApi } from '../api/useApi'
import { useBenchWifiStore } from './useBenchWifiStore'
import { useBoardProvisioningStore } from './useBoardProvisioningStore'
import { rememberedRef } from './support/remembered'

// The wizard's optional last step for a JSON-lines board: write the thing's identity to it over the
// cable and watch it connect. The private key never comes here: the back end reads it from the vault
// and sends it to the port; this store only hears each step (provisioning.deviceWrite) and the result.

export type DeviceWriteStepStatus = 'pending' | DeviceWriteProgress['status']

export interface DeviceWriteRow {
  step: DeviceWriteStep
  status: DeviceWriteStepStatus
  detail: string
}

const isString = (value: unknown): value is string => typeof value === 'string'
const freshSteps = (): DeviceWriteRow[] => deviceWriteSteps.map((step) => ({ step, status: 'pending', detail: '' }))

export const useDeviceWriteStore = defineStore('deviceWrite', () => {
  const api = useApi()

  /** The port last written to: a bench writes board after board on the same cable. */
  const portPath = rememberedRef('provisioning.deviceWritePort', '', isString)
  /** The Wi-Fi network the last board was given ('' none: its own); the passphrase stays in memory (useBenchWifiStore). */
  const wifiSsid = rememberedRef('provisioning.deviceWriteWifiSsid', '', isString)
  const wifiPassphrase = ref(useBenchWifiStore().passphraseFor(wifiSsid.value) ?? '')
  /** The user said yes to the key leaving the vault, for this thing only. */
  const confirmedFor = ref<string | null>(null)
  const running = ref(false)
  const target = ref<{ portPath: string; thingName: string } | null>(null)
  const steps = ref<DeviceWriteRow[]>(freshSteps())
  const result = ref<DeviceWriteResult | null>(null)
  const error = ref<unknown>(null)

  /** Forgets the last write (the next thing of a batch starts unconfirmed). */
  function reset(): void {
    if (running.value) return
    confirmedFor.value = null
    target.value = null
    steps.value = freshSteps()
    result.value = null
    error.value = null
  }

  /** `plan`: what the thing was provisioned with; once the board connects, new ports are offered the same. */
  async function write(thing: { thingName: string; certificateId: string; plan?: ProvisionPlanInput }): Promise<void> {
    const path = portPath.value.trim()
    if (running.value || !path || confirmedFor.value !== thing.thingName) return
    running.value = true
    target.value = { portPath: path, thingName: thing.thingName }
    steps.value = freshSteps()
    result.value = null
    error.value = null
    portPath.value = path
    const ssid = wifiSsid.value.trim()
    const wifi = ssid ? { ssid, passphrase: wifiPassphrase.value } : undefined
    try {
      result.value = await api.call('provisioning.writeToDevice', { portPath: path, thingName: thing.thingName, certificateId: thing.certificateId, ...(wifi ? { wifi } : {}) })
      if (wifi) useBenchWifiStore().remember(wifi)
      if (thing.plan) useBoardProvisioningStore().learn(thing.plan, ssid)
    } catch (caught) {
      error.value = caught
    } finally {
      running.value = false
    }
  }

  function progressed(p: DeviceWriteProgress): void {
    if (!target.value || p.portPath !== target.value.portPath || p.thingName !== target.value.thingName) return
    const row = steps.value.find((s) => s.step === p.step)
    if (row) Object.assign(row, { status: p.status, detail: p.detail ?? '' })
  }

  const stops = [api.on('provisioning.deviceWrite', progressed)]
  onScopeDispose(() => stops.forEach((stop) => stop()))

  return { portPath, wifiSsid, wifiPassphrase, confirmedFor, running, target, steps, result, error, reset, write }
})
