import type { MqttMessageView } from '@contract/mqtt'

// MQTT payloads as a person writes and reads them: JSON (checked), text, or hex bytes. The contract
// carries text as UTF-8 and bytes as base64; these turn one into the other.

export type PayloadFormat = 'json' | 'text' | 'hex'
export const payloadFormats: readonly PayloadFormat[] = ['json', 'text', 'hex']

export type EncodedPayload = { payload: string; encoding: 'utf8' | 'base64' }

/** What is sent for `input` written as `format`; throws an Error saying what is wrong with the input. */
export function encodePayload(input: string, format: PayloadFormat): EncodedPayload {
  switch (format) {
    case 'json':
      try {
        JSON.parse(input)
      } catch (error) {
        throw new Error(`The payload is not valid JSON (${(error as Error).message}): fix it, or send it as text`)
      }
      return { payload: input, encoding: 'utf8' }
    case 'text':
      return { payload: input, encoding: 'utf8' }
    case 'hex': {
      const digits = input.replace(/0x|[\s:,]/gi, '')
      if (!/^([0-9a-f]{2})*$/i.test(digits))
        throw new Error('The payload is not hex bytes: write pairs of hex digits (e.g. "de ad be ef"), spaces allowed')
      const bytes = new Uint8Array(digits.length / 2)
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16)
      return { payload: bytesToBase64(bytes), encoding: 'base64' }
    }
  }
}

/** The payload's bytes. */
export function payloadBytes(message: EncodedPayload): Uint8Array {
  return message.encoding === 'base64' ? base64ToBytes(message.payload) : new TextEncoder().encode(message.payload)
}

/** The payload shown as `format`: pretty JSON (the text as is when it is not JSON), text, or hex bytes. */
export function displayPayload(message: EncodedPayload, format: PayloadFormat): string {
  if (format === 'hex') return [...payloadBytes(message)].map((b) => b.toString(16).padStart(2, '0')).join(' ')
  const text = message.encoding === 'utf8' ? message.payload : new TextDecoder('utf-8').decode(payloadBytes(message))
  if (format === 'json')
    try {
      return JSON.stringify(JSON.parse(text), null, 2)
    } catch {
      return text
    }
  return text
}

/** The format a message is shown in until the person picks one for its topic. */
export function guessFormat(message: Pick<MqttMessageView, 'payload' | 'encoding'>): PayloadFormat {
  if (message.encoding === 'base64') return 'hex'
  const text = message.payload.trim()
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      JSON.parse(text)
      return 'json'
    } catch {
      return 'text'
    }
  }
  return 'text'
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
