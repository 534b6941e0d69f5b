import { iot, iotshadow, mqtt } from 'aws-iot-device-sdk-v2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'
import { caOf, provisionDevice, type Device } from '../../support/mqttDevices'

// The device gateway with AWS's own device SDK (aws-iot-device-sdk-v2 over aws-crt): its mTLS
// builder offers ALPN x-amzn-mqtt-ca, SNI localhost, clean session false and keep-alive 1200 by
// default (research/mqtt-shadow.md §3.1), and its IotShadowClient works the shadow. aws-crt is
// native and loaded once per process, so these tests live in their own file.

let sandbox: TestSandbox
let lamp: Device

beforeAll(async () => {
  sandbox = await startTestSandbox()
  lamp = await provisionDevice(sandbox.core, sandbox.iot, 'lamp-sdk')
})
afterAll(async () => {
  await sandbox.stop()
})

function connectionAs(device: Device, clientId: string): mqtt.MqttClientConnection {
  const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(device.certificatePem, device.privateKeyPem)
    .with_certificate_authority(caOf(sandbox.core))
    .with_endpoint(sandbox.core.mqttHost)
    .with_port(sandbox.core.mqttPort)
    .with_client_id(clientId)
    .build()
  return new mqtt.MqttClient().new_connection(config)
}

describe('aws-iot-device-sdk-v2', () => {
  it('connects over mTLS as the thing and gets and updates its shadow with IotShadowClient', async () => {
    const connection = connectionAs(lamp, 'lamp-sdk')
    try {
      await connection.connect()
      const shadow = new iotshadow.IotShadowClient(connection)
      const qos = mqtt.QoS.AtLeastOnce
      const thingName = 'lamp-sdk'

      const accepted = new Promise<iotshadow.model.UpdateShadowResponse>((resolve, reject) =>
        void shadow.subscribeToUpdateShadowAccepted({ thingName }, qos, (error, response) => (error ? reject(error) : resolve(response!)))
      )
      const delta = new Promise<iotshadow.model.ShadowDeltaUpdatedEvent>((resolve, reject) =>
        void shadow.subscribeToShadowDeltaUpdatedEvents({ thingName }, qos, (error, response) => (error ? reject(error) : resolve(response!)))
      )
      const got = new Promise<iotshadow.model.GetShadowResponse>((resolve, reject) =>
        void shadow.subscribeToGetShadowAccepted({ thingName }, qos, (error, response) => (error ? reject(error) : resolve(response!)))
      )
      // The subscriptions are in place once their SUBACKs came back.
      await shadow.subscribeToUpdateShadowRejected({ thingName }, qos, () => {})
      await new Promise((resolve) => setTimeout(resolve, 100))

      await shadow.publishUpdateShadow({ thingName, state: { desired: { brightness: 80 }, reported: { brightness: 10 } }, clientToken: 'sdk-1' }, qos)
      expect(await accepted).toMatchObject({ state: { desired: { brightness: 80 }, reported: { brightness: 10 } }, version: 1, clientToken: 'sdk-1' })
      expect(await delta).toMatchObject({ state: { brightness: 80 }, version: 1 })

      await shadow.publishGetShadow({ thingName, clientToken: 'sdk-2' }, qos)
      expect(await got).toMatchObject({ state: { delta: { brightness: 80 } }, version: 1, clientToken: 'sdk-2' })
    } finally {
      await connection.disconnect().catch(() => undefined)
    }
  })

  it('is refused when it connects under a client id its policy does not allow', async () => {
    const connection = connectionAs(lamp, 'not-lamp-sdk')
    try {
      await expect(connection.connect()).rejects.toThrow()
    } finally {
      await connection.disconnect().catch(() => undefined)
    }
  })
})
