// An operator on the Local IoT Core's MQTT over WebSocket endpoint the way a browser or Node app
// reaches AWS IoT with IAM credentials: a wss URL presigned with @smithy/signature-v4 (service
// iotdevicegateway), opened with mqtt.js (MQTT 3.1.1, subprotocol mqtt).
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import type { IClientOptions } from 'mqtt'
import type { LocalIotCoreInfo } from '../../electron/sandbox'
import { caOf } from './mqttDevices'

type OperatorEndpoint = Pick<LocalIotCoreInfo, 'webSocketUrl' | 'region' | 'accessKeyId' | 'secretAccessKey' | 'caCertificatePath'>

export interface PresignOptions {
  secretAccessKey?: string
  service?: string
  /** Default now. */
  signingDate?: Date
  /** Seconds the URL stays valid; default 300. */
  expiresIn?: number
  path?: string
}

/** The sandbox's webSocketUrl with a SigV4 presigned query, signed with its credentials (or the secret given). */
export async function presignedMqttUrl(core: OperatorEndpoint, options: PresignOptions = {}): Promise<URL> {
  const url = new URL(core.webSocketUrl)
  const signer = new SignatureV4({
    credentials: { accessKeyId: core.accessKeyId, secretAccessKey: options.secretAccessKey ?? core.secretAccessKey },
    region: core.region,
    service: options.service ?? 'iotdevicegateway',
    sha256: Sha256
  })
  const path = options.path ?? url.pathname
  const presigned = await signer.presign(
    { method: 'GET', protocol: 'https:', hostname: url.hostname, port: Number(url.port), path, query: {}, headers: { host: url.host } },
    { expiresIn: options.expiresIn ?? 300, ...(options.signingDate ? { signingDate: options.signingDate } : {}) }
  )
  const signed = new URL(path, url)
  for (const [name, value] of Object.entries(presigned.query ?? {})) signed.searchParams.set(name, String(value))
  return signed
}

/** mqtt.js options for an operator over wss at a presigned URL, trusting the sandbox CA, no reconnects. */
export function operatorOptions(core: OperatorEndpoint, signed: URL, extra: IClientOptions = {}): IClientOptions {
  return {
    protocol: 'wss',
    hostname: signed.hostname,
    port: Number(signed.port),
    path: `${signed.pathname}${signed.search}`,
    protocolVersion: 4,
    ca: caOf(core),
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...extra
  }
}
