// The Local IoT Core's Device Shadow HTTP API through clients written elsewhere: the real
// @aws-sdk/client-iot-data-plane, and a raw SigV4-signed fetch for requests the SDK would never send
// and for reading the wire (headers, exact bodies).
import { Sha256 } from '@aws-crypto/sha256-js'
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane'
import { SignatureV4 } from '@smithy/signature-v4'
import type { LocalIotCoreInfo } from '../../electron/sandbox'

/** What a client needs to reach a data plane: a Local IoT Core's info has it. */
export type DataPlaneEndpoint = Pick<LocalIotCoreInfo, 'dataPlaneUrl' | 'region' | 'accessKeyId' | 'secretAccessKey'>

/** An IoTDataPlaneClient signed with the sandbox's credentials; no retries, so every refusal reaches the test. */
export function dataPlaneClientFor(core: DataPlaneEndpoint): IoTDataPlaneClient {
  return new IoTDataPlaneClient({
    region: core.region,
    endpoint: core.dataPlaneUrl,
    credentials: { accessKeyId: core.accessKeyId, secretAccessKey: core.secretAccessKey },
    maxAttempts: 1
  })
}

export interface RawCall {
  method: string
  /** Path and query as sent, e.g. `/things/lamp/shadow?name=config`. */
  path: string
  body?: string | Uint8Array
  /** The SigV4 signing name; the SDKs use `iotdata`. */
  service?: string
  contentType?: string
}

/** A raw HTTP call to the data plane, signed with the sandbox's credentials for `service`. */
export async function signedDataPlaneFetch(core: DataPlaneEndpoint, call: RawCall): Promise<Response> {
  const url = new URL(call.path, core.dataPlaneUrl)
  const signer = new SignatureV4({
    credentials: { accessKeyId: core.accessKeyId, secretAccessKey: core.secretAccessKey },
    region: core.region,
    service: call.service ?? 'iotdata',
    sha256: Sha256
  })
  const signed = await signer.sign({
    method: call.method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host, ...(call.body === undefined ? {} : { 'content-type': call.contentType ?? 'application/octet-stream' }) },
    body: call.body
  })
  return fetch(url, { method: call.method, headers: signed.headers as Record<string, string>, body: call.body })
}
