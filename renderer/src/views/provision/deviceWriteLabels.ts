import type { DeviceWriteStep } from '@contract/jsonLinesProvisioning'

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
