import mqtt, { type MqttClient } from 'mqtt'
import type { StoredIdentity } from './identityStore'

// The thermostat's own MQTT connection, once provisioned: mutual TLS as the thing to the endpoint
// (`host` or `host:port`, 8883 by default), reporting its state to its classic shadow.

export interface MqttLink {
  report(state: object): Promise<void>
  close(): Promise<void>
}

export function connectOverMqtt(identity: StoredIdentity, onState: (state: 'disconnected', detail?: string) => void): Promise<MqttLink> {
  const [host, port] = identity.endpoint.split(':')
  const client: MqttClient = mqtt.connect({
    protocol: 'mqtts',
    host,
    port: port ? Number(port) : 8883,
    protocolVersion: 4,
    clientId: identity.thingName,
    cert: identity.certificate,
    key: identity.privateKey,
    ...(identity.rootCa ? { ca: identity.rootCa } : {}),
    reconnectPeriod: 0,
    connectTimeout: 5_000
  })
  const topic = `$aws/things/${identity.thingName}/shadow/update`
  return new Promise((resolve, reject) => {
    let connected = false
    let reason: string | undefined
    client.on('error', (error) => (reason = error.message))
    client.once('connect', () => {
      connected = true
      resolve({
        // A report lost to a closing connection is the next report's job, as on a real device.
        report: async (state) => {
          if (client.connected) await client.publishAsync(topic, JSON.stringify({ state: { reported: state } }), { qos: 1 }).catch(() => undefined)
        },
        close: async () => {
          await client.endAsync(true).catch(() => undefined)
        }
      })
    })
    client.on('close', () => {
      if (connected) onState('disconnected', reason ?? 'the broker closed the connection')
      else reject(new Error(reason ?? `the broker at ${identity.endpoint} closed the connection before accepting it`))
      connected = false
    })
  })
}
