import { isIP } from 'node:net'
import mqtt, { type MqttClient } from 'mqtt'

// The module's own MQTT connection (research §13.6): mutual TLS with its birth certificate to the
// configured Endpoint (`host` or `host:port`, 8883 by default), then the reserved-topic
// registration an onboarded module does. A failure names how far it got as the spec's hint (§10).

export class ConnectFailure extends Error {
  constructor(readonly hint: number, detail: string) {
    super(detail)
  }
}

export interface CloudSettings {
  endpoint: string
  thingName: string
  certificatePem: string
  privateKeyPem: string
  /** Empty: Node's public roots (AWS's root CA among them). */
  rootCa: string
  keepAliveSeconds: number
  timeoutMs: number
}

const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'])
/** Node's TLS verification failures: UNABLE_TO_VERIFY_LEAF_SIGNATURE, ERR_TLS_CERT_ALTNAME_INVALID, … */
const TLS_CODE = /CERT|TLS|SSL|SIGNATURE|ISSUER/

function hintFor(error: (Error & { code?: string | number }) | undefined): ConnectFailure {
  if (!error) return new ConnectFailure(5, 'MQTT connection closed by the server (certificate not registered or not authorised?)')
  if (typeof error.code === 'number') return new ConnectFailure(5, `MQTT connection refused (CONNACK ${error.code}: ${error.message})`)
  const code = String(error.code ?? '')
  if (NETWORK_CODES.has(code)) return new ConnectFailure(3, `Invalid Endpoint? (${code})`)
  if (TLS_CODE.test(code)) return new ConnectFailure(4, `TLS handshake failed (${code})`)
  return new ConnectFailure(5, `MQTT login failed (${error.message})`)
}

export async function connectToCloud(settings: CloudSettings): Promise<MqttClient> {
  const [host, port] = settings.endpoint.split(':')
  const client = mqtt.connect({
    protocol: 'mqtts',
    host,
    port: port ? Number(port) : 8883,
    protocolVersion: 4,
    clientId: settings.thingName,
    cert: settings.certificatePem,
    key: settings.privateKeyPem,
    ...(settings.rootCa ? { ca: settings.rootCa } : {}),
    // SNI names the endpoint, as AWS IoT needs; an IP address may not be sent as SNI.
    ...(isIP(host) ? {} : { servername: host }),
    keepalive: settings.keepAliveSeconds,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: settings.timeoutMs
  })
  await new Promise<void>((resolve, reject) => {
    let lastError: (Error & { code?: string | number }) | undefined
    const onError = (error: Error): void => void (lastError = error)
    const onClose = (): void => {
      client.off('error', onError)
      client.end(true)
      reject(hintFor(lastError))
    }
    client.on('error', onError)
    client.once('close', onClose)
    client.once('connect', () => {
      client.off('close', onClose)
      client.off('error', onError)
      resolve()
    })
  })
  // Onboarded modules register for jobs on their reserved topics; a policy without them fails here.
  const granted = await client.subscribeAsync(`$aws/things/${settings.thingName}/jobs/notify-next`, { qos: 1 }).catch(() => undefined)
  if (!granted || granted.some((g) => g.qos === 128) || !client.connected) {
    await client.endAsync(true).catch(() => undefined)
    throw new ConnectFailure(6, 'subscribing to the reserved jobs topic was refused (policy?)')
  }
  return client
}
