import { STATUS_CODES } from 'node:http'

export interface AwsErrorDescription {
  /** AWS's error name (ResourceNotFoundException, ThrottlingException…), or NetworkError / CredentialsError. */
  errorName: string
  message: string
  httpStatus?: number
}

interface ErrorLike {
  name?: unknown
  message?: unknown
  code?: unknown
  address?: unknown
  port?: unknown
  hostname?: unknown
  errors?: unknown
  cause?: unknown
  $metadata?: { httpStatusCode?: number }
  $response?: { statusCode?: number }
}

const networkProblems: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused (nothing is listening there)',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  ENOTFOUND: 'the host name could not be resolved',
  EAI_AGAIN: 'the host name could not be resolved (DNS lookup failed temporarily)',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  EPIPE: 'the connection was closed while sending',
  ECONNABORTED: 'the connection was aborted',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate could not be verified',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate chain is not trusted'
}

/**
 * Turns whatever an AWS SDK call threw into a readable message with AWS's error name and HTTP
 * status. Network failures say which endpoint could not be reached; `endpoint` (the URL the client
 * was aimed at) is used when the error itself does not carry the address.
 */
export function describeAwsError(err: unknown, context: { endpoint?: string } = {}): AwsErrorDescription {
  if (!(err instanceof Error) && (typeof err !== 'object' || err === null)) return { errorName: 'Error', message: String(err) }
  const error = err as ErrorLike

  const network = findNetworkError(error)
  if (network) {
    const code = String(network.code)
    const where = networkTarget(network) ?? context.endpoint ?? 'the AWS endpoint'
    return {
      errorName: 'NetworkError',
      message: `Could not reach ${where}: ${networkProblems[code] ?? String(network.message ?? code)} (${code}). Check the endpoint, the network connection and any proxy; for the Local IoT Core, check that it is running`
    }
  }

  const name = typeof error.name === 'string' ? error.name : 'Error'
  const message = typeof error.message === 'string' && error.message !== '' ? error.message : undefined
  const httpStatus = error.$metadata?.httpStatusCode ?? error.$response?.statusCode

  if (name === 'CredentialsProviderError' || name === 'TokenProviderError')
    return {
      errorName: 'CredentialsError',
      message: `No usable AWS credentials: ${(message ?? name).replace(/\.+$/, '')}. Choose a profile with credentials, or sign in again (for an SSO profile: aws sso login --profile <name>)`
    }
  if (name === 'ExpiredTokenException' || name === 'ExpiredToken')
    return { errorName: name, message: `The AWS session has expired: ${message ?? ''} Sign in again (for an SSO profile: aws sso login --profile <name>)`.trim(), ...(httpStatus ? { httpStatus } : {}) }
  if (name === 'TimeoutError')
    return { errorName: name, message: `The call to ${context.endpoint ?? 'AWS'} timed out: ${message ?? ''}`.trim() }

  const unnamed = name === 'Unknown' || name === 'UnknownError'
  const errorName = unnamed ? 'UnknownError' : name
  const status = httpStatus ? `HTTP ${httpStatus}${STATUS_CODES[httpStatus] ? ` ${STATUS_CODES[httpStatus]}` : ''}` : undefined
  const hasMessage = message !== undefined && message !== name && message !== 'UnknownError'
  return {
    errorName,
    message: hasMessage
      ? message
      : unnamed
        ? `${context.endpoint ?? 'AWS'} answered ${status ?? 'with an error'} without an error name or message`
        : `AWS answered ${errorName}${status ? ` (${status})` : ''} without a message`,
    ...(httpStatus ? { httpStatus } : {})
  }
}

/** The Node network error inside an SDK error (directly, in an AggregateError, or as a cause). */
function findNetworkError(error: ErrorLike, depth = 0): ErrorLike | undefined {
  if (depth > 4) return undefined
  if (typeof error.code === 'string' && error.code in networkProblems) {
    const inner = Array.isArray(error.errors) ? (error.errors as ErrorLike[]).find((e) => networkTarget(e)) : undefined
    return inner && !networkTarget(error) ? { ...inner, code: error.code } : error
  }
  for (const inner of Array.isArray(error.errors) ? (error.errors as ErrorLike[]) : []) {
    const found = inner && findNetworkError(inner, depth + 1)
    if (found) return found
  }
  if (error.cause && typeof error.cause === 'object') return findNetworkError(error.cause as ErrorLike, depth + 1)
  return undefined
}

function networkTarget(error: ErrorLike): string | undefined {
  if (typeof error.address === 'string') {
    const host = error.address.includes(':') ? `[${error.address}]` : error.address
    return typeof error.port === 'number' ? `${host}:${error.port}` : host
  }
  if (typeof error.hostname === 'string') return error.hostname
  return undefined
}
