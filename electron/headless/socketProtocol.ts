import type { WebSocket, RawData } from 'ws'
import type { Dispatcher, EventHub, WireAnswer } from '../contract'

// The contract over one WebSocket. Client -> server: `{ id, method, args }`; server -> client:
// `{ id, answer }` (a WireAnswer) for each call, and `{ event, payload }` for every back-end event.
// renderer/src/api/webSocketTransport.ts is the other end.

/** Largest message the server reads; larger ones are answered with MessageTooLarge. */
export const maxMessageBytes = 1_000_000

type CallId = number | string

interface OutgoingAnswer {
  id: CallId | null
  answer: WireAnswer
}

/** Serves the contract on one accepted socket until it closes. */
export function serveSocket(socket: WebSocket, dispatcher: Dispatcher, events: EventHub, log: (line: string) => void): void {
  const send = (message: object) => {
    if (socket.readyState !== socket.OPEN) return
    let text: string
    try {
      text = JSON.stringify(message)
    } catch (error) {
      const id = 'id' in message ? (message as OutgoingAnswer).id : null
      text = JSON.stringify(errorAnswer(id, 'InternalError', `The answer could not be sent: ${(error as Error).message}`))
    }
    socket.send(text)
  }
  const disconnect = events.connect((event, payload) => send({ event, payload }))
  socket.on('close', disconnect)
  socket.on('error', (error) => log(`WebSocket error: ${error.message}`))
  socket.on('message', (data, isBinary) => {
    void answer(data, isBinary, dispatcher).then(send, (error: unknown) => log(`Unexpected failure answering a message: ${String(error)}`))
  })
}

async function answer(data: RawData, isBinary: boolean, dispatcher: Dispatcher): Promise<OutgoingAnswer> {
  const bytes = rawBytes(data)
  if (bytes.byteLength > maxMessageBytes)
    return errorAnswer(peekId(bytes), 'MessageTooLarge', `A message to ThingBench may be at most ${maxMessageBytes} bytes; this one has ${bytes.byteLength}`)
  if (isBinary) return errorAnswer(null, 'MalformedMessage', 'ThingBench expects text messages holding JSON, not binary ones')
  let message: unknown
  try {
    message = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    return errorAnswer(null, 'MalformedMessage', `The message is not JSON: ${(error as Error).message}`)
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message))
    return errorAnswer(null, 'MalformedMessage', 'A message must be a JSON object { id, method, args }')
  const { id, method, args } = message as Record<string, unknown>
  if (!isCallId(id)) return errorAnswer(null, 'MalformedMessage', 'A message needs an "id": a number or a string of at most 100 characters')
  if (typeof method !== 'string') return errorAnswer(id, 'MalformedMessage', 'A message needs a "method": the name of a contract method')
  return { id, answer: await dispatcher.dispatch(method, args) }
}

function isCallId(id: unknown): id is CallId {
  return (typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.length > 0 && id.length <= 100)
}

/** The id of an oversized call, read from its first bytes (our client writes it first), so its caller hears back. */
function peekId(bytes: Buffer): CallId | null {
  const head = bytes.subarray(0, 128).toString('utf8')
  const match = /^\s*\{\s*"id"\s*:\s*(?:(\d{1,15})|"([^"\\]{1,100})")/.exec(head)
  if (!match) return null
  return match[1] !== undefined ? Number(match[1]) : match[2]!
}

function rawBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}

function errorAnswer(id: CallId | null, errorName: string, message: string): OutgoingAnswer {
  return { id, answer: { ok: false, error: { errorName, message } } }
}
