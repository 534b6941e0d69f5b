import { UpdateThingShadowCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import { auth, io, iot, mqtt } from 'aws-iot-device-sdk-v2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dataPlaneClientFor } from '../../support/dataPlane'
import { caOf } from '../../support/mqttDevices'
import { startTestSandbox, type TestSandbox } from '../../support/sandbox'

// MQTT over WebSocket with SigV4 through AWS's device SDK (aws-iot-device-sdk-v2 over aws-crt), as an
// operator with IAM credentials connects: the CRT signs the upgrade in its query (iotdevicegateway,
// `host` without the port, research/mqtt-shadow.md §3.5) and always uses TLS. aws-crt is native and
// loaded once per process, so these tests live in their own file.

let sandbox: TestSandbox
let data: IoTDataPlaneClient

beforeAll(async () => {
  sandbox = await startTestSandbox()
  data = dataPlaneClientFor(sandbox.core)
})
afterAll(async () => {
  data.destroy()
  await sandbox.stop()
})

function operatorConnection(clientId: string, secretAccessKey = sandbox.core.secretAccessKey): mqtt.MqttClientConnection {
  const tls = new io.TlsContextOptions()
  tls.override_default_trust_store(caOf(sandbox.core))
  const config = iot.AwsIotMqttConnectionConfigBuilder.new_with_websockets({
    region: sandbox.core.region,
    tls_ctx_options: tls,
    credentials_provider: auth.AwsCredentialsProvider.newStatic(sandbox.core.accessKeyId, secretAccessKey)
  })
    .with_endpoint(new URL(sandbox.core.webSocketUrl).hostname)
    .with_port(Number(new URL(sandbox.core.webSocketUrl).port))
    .with_client_id(clientId)
    .build()
  return new mqtt.MqttClient().new_connection(config)
}

describe('aws-iot-device-sdk-v2 over WebSocket with SigV4', () => {
  it("connects as an operator, subscribes to a thing's shadow documents and sees an HTTP update", async () => {
    const connection = operatorConnection('operator-1')
    try {
      await connection.connect()
      const documents = new Promise<Record<string, unknown>>((resolve) => {
        void connection.subscribe('$aws/things/sdk-ws-lamp/shadow/update/documents', mqtt.QoS.AtLeastOnce, (_topic, payload) =>
          resolve(JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>)
        )
      })
      // The subscription is in place once its SUBACK came back.
      await new Promise((resolve) => setTimeout(resolve, 100))
      await data.send(new UpdateThingShadowCommand({ thingName: 'sdk-ws-lamp', payload: JSON.stringify({ state: { desired: { on: true } }, clientToken: 'sdk-ws-1' }) }))
      expect(await documents).toMatchObject({ current: { state: { desired: { on: true } }, version: 1 }, clientToken: 'sdk-ws-1' })
    } finally {
      await connection.disconnect().catch(() => undefined)
    }
  })

  it('is refused at the upgrade (HTTP 403) with a wrong secret: connect rejects', async () => {
    const connection = operatorConnection('operator-2', 'not-the-secret')
    try {
      await expect(connection.connect()).rejects.toThrow(/WEBSOCKET_UPGRADE_FAILURE|upgrade/i)
    } finally {
      await connection.disconnect().catch(() => undefined)
    }
  })
})
