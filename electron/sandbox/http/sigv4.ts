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
  dataPlane: ['iotdata', 'iotdevicegateway'],
  webSocket: ['iotdevicegateway']
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
  const amzDate = request.headers['x-amz-date']
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate))
    throw incompleteSignature('the X-Amz-Date header is missing or not in the form YYYYMMDDTHHMMSSZ.')
  const signingDate = checkScope({ accessKeyId: accessKeyId!, scopeDate: scopeDate!, scopeRegion: scopeRegion!, scopeService: scopeService!, amzDate, what: 'X-Amz-Date header' }, expected)
  const computed = await recomputeSignature(request, { signingDate, scopeService: scopeService!, signedHeaders: signedHeaderList!.toLowerCase().split(';'), query: request.query }, expected)
  assertSameSignature(signature!, computed)
}

/** The query parameters of a presigned request that carry its signature rather than being signed. */
const UNSIGNED_QUERY_PARAMETERS = ['X-Amz-Signature', 'X-Amz-Security-Token']

/**
 * The same check for a request signed in its query string (a presigned URL), e.g. the MQTT over
 * WebSocket upgrade `GET /mqtt?X-Amz-Algorithm=…&X-Amz-Credential=…&X-Amz-Signature=…`. As AWS IoT
 * does (research/mqtt-shadow.md §2.5, §3.5), X-Amz-Security-Token is left out of the signed query,
 * and the signed headers are taken as received (the device SDK signs `host` without the port).
 */
export async function verifyPresignedSigV4(request: Omit<SignedRequest, 'body'>, expected: SigV4Expectation): Promise<void> {
  const query = request.query
  const parameter = (name: string): string => {
    const value = query.get(name)
    if (value === null || value === '') throw forbidden('MissingAuthenticationTokenException', `Missing Authentication Token: the query parameter ${name} is missing.`)
    return value
  }
  if (parameter('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') throw incompleteSignature("X-Amz-Algorithm must be 'AWS4-HMAC-SHA256'.")
  const credential = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(parameter('X-Amz-Credential'))
  if (!credential) throw incompleteSignature("X-Amz-Credential must be '<key>/<date>/<region>/<service>/aws4_request'.")
  const [, accessKeyId, scopeDate, scopeRegion, scopeService] = credential as unknown as string[]
  const amzDate = parameter('X-Amz-Date')
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) throw incompleteSignature('the X-Amz-Date query parameter is not in the form YYYYMMDDTHHMMSSZ.')
  const signedHeaderList = parameter('X-Amz-SignedHeaders')
  if (!/^[a-z0-9;_.-]+$/i.test(signedHeaderList)) throw incompleteSignature('X-Amz-SignedHeaders must be header names separated by semicolons.')
  const signature = parameter('X-Amz-Signature')
  if (!/^[0-9a-f]{64}$/i.test(signature)) throw incompleteSignature('X-Amz-Signature must be 64 hexadecimal digits.')
  const signingDate = checkScope({ accessKeyId: accessKeyId!, scopeDate: scopeDate!, scopeRegion: scopeRegion!, scopeService: scopeService!, amzDate, what: 'X-Amz-Date query parameter' }, expected)
  const expires = query.get('X-Amz-Expires')
  if (expires !== null) {
    const seconds = Number(expires)
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 604800) throw incompleteSignature('X-Amz-Expires must be a whole number of seconds from 1 to 604800.')
    if (expected.now > signingDate.getTime() + seconds * 1000)
      throw forbidden('InvalidSignatureException', `Signature expired: the URL was signed at ${amzDate} for ${seconds} seconds. Sign a new URL.`)
  }
  const signedQuery = new URLSearchParams([...query].filter(([name]) => !UNSIGNED_QUERY_PARAMETERS.includes(name)))
  const computed = await recomputeSignature(
    { ...request, body: Buffer.alloc(0) },
    { signingDate, scopeService: scopeService!, signedHeaders: signedHeaderList.toLowerCase().split(';'), query: signedQuery },
    expected
  )
  assertSameSignature(signature, computed)
}

interface Scope {
  accessKeyId: string
  scopeDate: string
  scopeRegion: string
  scopeService: string
  amzDate: string
  /** Where the date came from, for the error text. */
  what: string
}

/** Checks the key, the date and the credential scope; returns the signing date. */
function checkScope(scope: Scope, expected: SigV4Expectation): Date {
  const { accessKeyId, scopeDate, scopeRegion, scopeService, amzDate } = scope
  if (accessKeyId !== expected.credentials.accessKeyId)
    throw forbidden('UnrecognizedClientException', 'The security token included in the request is invalid.')
  const signingDate = parseAmzDate(amzDate)
  if (Number.isNaN(signingDate.getTime())) throw incompleteSignature(`the ${scope.what} '${amzDate}' is not a valid date.`)
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
  if (!expected.services.includes(scopeService))
    throw forbidden(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: ${expected.services.map((name) => `'${name}'`).join(' or ')}, not '${scopeService}'.`
    )
  return signingDate
}

interface SignatureInputs {
  signingDate: Date
  scopeService: string
  /** Lower-cased names of the headers the client signed. */
  signedHeaders: string[]
  /** The query as signed (without the signature itself). */
  query: URLSearchParams
}

/** The signature the sandbox's secret gives for the request, over exactly what the client signed. */
async function recomputeSignature(request: SignedRequest, inputs: SignatureInputs, expected: SigV4Expectation): Promise<string> {
  const headers: Record<string, string> = {}
  for (const name of inputs.signedHeaders) {
    const value = request.headers[name]
    if (value === undefined) throw incompleteSignature(`the signed header '${name}' is not in the request.`)
    headers[name] = value
  }
  const query: Record<string, string | string[]> = {}
  for (const key of new Set(inputs.query.keys())) {
    const values = inputs.query.getAll(key)
    query[key] = values.length === 1 ? values[0]! : values
  }

  const signer = new SignatureV4({
    credentials: expected.credentials,
    region: expected.region,
    // The scope is part of the string to sign: recompute with the name the client chose.
    service: inputs.scopeService,
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
    {
      signingDate: inputs.signingDate,
      signableHeaders: new Set(inputs.signedHeaders),
      // The signer adds X-Amz-Date as a header; a presigned request carries it in the query instead.
      unsignableHeaders: new Set(inputs.signedHeaders.includes('x-amz-date') ? [] : ['x-amz-date'])
    }
  )
  return /Signature=([0-9a-f]{64})/.exec(String(signed.headers['authorization']))?.[1] ?? ''
}

function assertSameSignature(given: string, computed: string): void {
  const givenBytes = Buffer.from(given.toLowerCase(), 'utf8')
  const computedBytes = Buffer.from(computed, 'utf8')
  if (givenBytes.length !== computedBytes.length || !timingSafeEqual(givenBytes, computedBytes))
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
