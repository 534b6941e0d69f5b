import type { DeviceWriteStep } from '@contract/jsonLinesProvisioning'
import type { StepRow } from '../../components/stepRow'
import type { DeviceWriteRow } from '../../stores/useDeviceWriteStore'
import { statusLabels, statusTagTypes } from './runLabels'

/** Each step of writing an identity to a JSON-lines board, in a technician's words. */
export const deviceWriteStepLabels: Record<DeviceWriteStep, string> = {
  hello: 'Ask the board who it is (it must offer provisioning)',
  endpoint: 'Send the endpoint',
  thingName: 'Send the thing name (its MQTT client id)',
  certificate: 'Send the certificate',
  privateKey: 'Send the private key',
  rootCa: 'Send the CA that signs the endpoint',
  wifiSsid: 'Send the Wi-Fi network (SSID)',
  wifiPassphrase: 'Send the Wi-Fi passphrase',
  commit: 'Tell the board to store its identity',
  connect: 'The board connects with it'
}

/** The write's steps as StepList rows: a step not reached says "not run" once the write is over; a failed one's detail is the error's, shown below. */
export function deviceWriteRows(steps: DeviceWriteRow[], running: boolean): StepRow[] {
  return steps.map((s) => ({
    key: s.step,
    status: s.status,
    label: deviceWriteStepLabels[s.step],
    tag: s.status === 'pending' && !running ? 'not run' : statusLabels[s.status],
    tagType: statusTagTypes[s.status],
    ...(s.detail && s.status !== 'failed' ? { detail: s.detail } : {})
  }))
}
