import { timingSafeEqual } from 'node:crypto'
import { NativeSha256 } from './nativeSha256'
import { SignatureV4 } from '@smithy/signature-v4'
import { IotError } from './iotError'

// Verifies AWS Signature Version 4 on an incoming request the way AWS's front door does: the
// signature is recomputed with the sandbox's secret over exactly the headers the client says it
// signed, at the client's X-Amz-Date, and compared. Refusals use AWS's error names and texts.

export interface SandboxCredentials {
  accessKeyId: string
  secretAccessKey: string
}

export interface SignedRequest {
  method: string
  /** The path exactly as it arrived (still percent-encoded). */
  rawPath: string
  query: URLSearchParams
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>
  body: Buffer
}

/**
 * The signing names (the service in the credential scope) AWS accepts for each API. Clients differ:
 * the AWS SDKs sign the control plane as `iot`, the AWS CLI v2 as `execute-api`; the data plane is
 * signed `iotdata` by the SDKs over HTTP and `iotdevicegateway` for MQTT over WebSocket.
 */
export const ACCEPTED_SIGNING_NAMES = {
  controlPlane: ['iot', 'execute-api'],
  dataPlane: ['iotdata', 'iotdevicegateway']
} as const satisfies Record<string, readonly string[]>

export interface SigV4Expectation {
  credentials: SandboxCredentials
  region: string
  /** The signing names this API accepts, e.g. ACCEPTED_SIGNING_NAMES.controlPlane. */
  services: readonly string[]
  /** Wall-clock epoch milliseconds; the signature's date must be within 15 minutes of it. */
  now: number
}

const MAX_SKEW_MS = 15 * 60 * 1000
const AUTHORIZATION_PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})\s*$/i

const forbidden = (name: string, message: string): IotError => new IotError(name, 403, message)

const incompleteSignature = (detail: string): IotError =>
  forbidden('IncompleteSignatureException', `Authorization header is malformed: ${detail}`)

/** Throws the IotError AWS would answer with when the request is not correctly signed. */
export async function verifySigV4(request: SignedRequest, expected: SigV4Expectation): Promise<void> {
  const authorization = request.headers['authorization']
  if (!authorization) throw forbidden('MissingAuthenticationTokenException', 'Missing Authentication Token')
  const match = AUTHORIZATION_PATTERN.exec(authorization.trim())
  if (!match)
    throw incompleteSignature(
      "expected 'AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=<h1;h2>, Signature=<hex>'."
    )
  const [, accessKeyId, scopeDate, scopeRegion, scopeService, signedHeaderList, signature] = match as unknown as string[]

  if (accessKeyId !== expected.credentials.accessKeyId)
    throw forbidden('UnrecognizedClientException', 'The security token included in the request is invalid.')

  const amzDate = request.headers['x-amz-date']
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate))
    throw incompleteSignature('the X-Amz-Date header is missing or not in the form YYYYMMDDTHHMMSSZ.')
  const signingDate = parseAmzDate(amzDate)
  if (Number.isNaN(signingDate.getTime())) throw incompleteSignature(`the X-Amz-Date header '${amzDate}' is not a valid date.`)
  if (Math.abs(expected.now - signingDate.getTime()) > MAX_SKEW_MS) {
    const now = formatAmzDate(new Date(expected.now))
    const bound =
      signingDate.getTime() < expected.now
        ? `is now earlier than ${formatAmzDate(new Date(expected.now - MAX_SKEW_MS))} (${now} - 15 min.)`
        : `is now later than ${formatAmzDate(new Date(expected.now + MAX_SKEW_MS))} (${now} + 15 min.)`
    throw forbidden('InvalidSignatureException', `Signature expired: ${amzDate} ${bound}`)
  }
  if (scopeDate !== amzDate.slice(0, 8))
    throw forbidden('InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}'`)
  if (scopeRegion !== expected.region)
    throw forbidden('InvalidSignatureException', `Credential should be scoped to a valid region, not '${scopeRegion}'. The Local IoT Core serves '${expected.region}'.`)
  if (!expected.services.includes(scopeService!))
    throw forbidden(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: ${expected.services.map((name) => `'${name}'`).join(' or ')}, not '${scopeService}'.`
    )

  const signedHeaders = signedHeaderList!.toLowerCase().split(';')
  const headers: Record<string, string> = {}
  for (const name of signedHeaders) {
    const value = request.headers[name]
    if (value === undefined) throw incompleteSignature(`the signed header '${name}' is not in the request.`)
    headers[name] = value
  }
  const query: Record<string, string | string[]> = {}
  for (const key of new Set(request.query.keys())) {
    const values = request.query.getAll(key)
    query[key] = values.length === 1 ? values[0]! : values
  }

  const signer = new SignatureV4({
    credentials: expected.credentials,
    region: expected.region,
    // The scope is part of the string to sign: recompute with the name the client chose.
    service: scopeService!,
    sha256: NativeSha256,
    applyChecksum: false
  })
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: headers['host'] ?? '',
      path: request.rawPath,
      query,
      headers,
      body: request.body.length > 0 ? request.body : undefined
    },
    { signingDate, signableHeaders: new Set(signedHeaders) }
  )
  const expectedSignature = /Signature=([0-9a-f]{64})/.exec(String(signed.headers['authorization']))?.[1] ?? ''
  const given = Buffer.from(signature!.toLowerCase(), 'utf8')
  const computed = Buffer.from(expectedSignature, 'utf8')
  if (given.length !== computed.length || !timingSafeEqual(given, computed))
    throw forbidden(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'
    )
}

function parseAmzDate(value: string): Date {
  const iso = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T${value.slice(9, 11)}:${value.slice(11, 13)}:${value.slice(13, 15)}Z`
  return new Date(iso)
}

function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}
