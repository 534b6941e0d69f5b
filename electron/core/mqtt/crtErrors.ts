// aws-crt reports failures as strings such as "Failed to connect: aws-c-io: AWS_IO_SOCKET_CLOSED,
// socket is closed." This turns them into words a user can act on.

export interface CrtFailure {
  /** The CRT's error name (AWS_IO_SOCKET_CLOSED…), when the text has one. */
  code?: string
  /** What happened, in plain words. */
  words: string
  /**
   * The broker (or the server in front of it) closed the connection: on AWS that is how a refused
   * CONNECT, PUBLISH or SUBSCRIBE looks, so the reason is worth asking AWS for.
   */
  closedByBroker: boolean
  /** The operation was dropped because the connection went away (it can be retried on the next one). */
  connectionLost: boolean
}

const closedCodes = new Set(['AWS_IO_SOCKET_CLOSED', 'AWS_ERROR_MQTT_UNEXPECTED_HANGUP', 'AWS_IO_BROKEN_PIPE', 'AWS_ERROR_MQTT_NOT_CONNECTED'])
const lostCodes = new Set([
  ...closedCodes,
  'AWS_ERROR_MQTT_CANCELLED_FOR_CLEAN_SESSION',
  'AWS_ERROR_MQTT_CONNECTION_DISCONNECTING',
  'AWS_ERROR_MQTT_CONNECTION_DESTROYED',
  'AWS_ERROR_MQTT_CONNECTION_SHUTDOWN'
])

export function describeCrtFailure(error: unknown, address: string): CrtFailure {
  const text = error instanceof Error ? error.message : String(error)
  const code = /\bAWS_[A-Z0-9_]+/.exec(text)?.[0]
  const closedByBroker = code !== undefined && closedCodes.has(code)
  return { code, words: wordsFor(code, text, address), closedByBroker, connectionLost: code !== undefined && lostCodes.has(code) }
}

function wordsFor(code: string | undefined, text: string, address: string): string {
  if (code === undefined) return text.replace(/\.$/, '')
  if (closedCodes.has(code)) return 'the broker closed the connection'
  if (code === 'AWS_IO_SOCKET_CONNECTION_REFUSED') return `nothing is listening at ${address} (connection refused)`
  if (code === 'AWS_IO_SOCKET_TIMEOUT' || code === 'AWS_ERROR_MQTT_TIMEOUT') return `${address} did not answer in time`
  if (code.startsWith('AWS_IO_DNS')) return `the host name of ${address} could not be resolved`
  if (code === 'AWS_IO_SOCKET_NO_ROUTE_TO_HOST' || code === 'AWS_IO_SOCKET_NETWORK_DOWN') return `${address} is unreachable (no route or network down)`
  if (code.startsWith('AWS_IO_TLS'))
    return `the TLS handshake with ${address} failed: the server's certificate is not trusted by the CA in use, or the server refused this client's certificate`
  if (code === 'AWS_ERROR_HTTP_WEBSOCKET_UPGRADE_FAILURE')
    return `the server at ${address} refused the WebSocket upgrade: the credentials were not accepted (check the connection's profile or keys)`
  if (code.startsWith('AWS_ERROR_MQTT_CANCELLED') || code.startsWith('AWS_ERROR_MQTT_CONNECTION')) return 'the connection went away before the broker answered'
  // An error name the table does not know: the CRT's own sentence after it is the best description.
  const sentence = text.slice(text.indexOf(code) + code.length).replace(/^[,:\s]+/, '').replace(/\.$/, '')
  return sentence ? `${sentence} (${code})` : code
}
