import type { IoTClient } from '@aws-sdk/client-iot'
import { iot } from 'aws-iot-device-sdk-v2'
import { describeDataEndpoint } from '../aws'
import { amazonRootCaPem } from '../certificates'
import type { Vault } from '../vault'
import { loadDeviceCredentials, type DeviceCredentials } from './deviceCredentials'
import { deviceRefusals } from './deviceRefusals'
import { withSharedSettings, type MqttEndpoint, type MqttTarget } from './target'

export interface DeviceTargetOptions {
  /** The control plane the thing is registered in: its certificate, and the reasons for refusals. */
  iot: IoTClient
  vault: Vault
  thingName: string
  /** Default: the thing name, as the seed policy requires. */
  clientId?: string
  /** Default: an ACTIVE certificate of the thing whose key the vault holds. */
  certificateId?: string
  endpoint: MqttEndpoint
}

/** A thing connecting over MQTT with mutual TLS: its certificate and vault key go to aws-crt in memory, never to a file. */
export function deviceTarget(options: DeviceTargetOptions): MqttTarget {
  const clientId = options.clientId ?? options.thingName
  return {
    identity: { kind: 'device', thingName: options.thingName, clientId },
    endpoint: options.endpoint,
    async prepare() {
      const device = await loadDeviceCredentials(options.iot, options.vault, options.thingName, options.certificateId)
      return { config: deviceConfig(device, options.endpoint, clientId), explain: deviceRefusals(options.iot, device, clientId) }
    }
  }
}

function deviceConfig(device: DeviceCredentials, endpoint: MqttEndpoint, clientId: string) {
  const builder = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(device.certificatePem, device.privateKeyPem).with_certificate_authority(endpoint.caPem)
  return withSharedSettings(builder, endpoint, clientId).build()
}

/** AWS's device endpoint for an account: the iot:Data-ATS address on 8883, trusted through Amazon Root CA 1. */
export async function awsDeviceEndpoint(iotClient: IoTClient): Promise<MqttEndpoint> {
  return { host: await describeDataEndpoint(iotClient), port: 8883, caPem: amazonRootCaPem() }
}
