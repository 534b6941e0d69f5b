import { shadowErrors, type ShadowBook, type ShadowMessage } from '../shadow'
import type { ShadowRequestRate } from '../shadow/requestRate'
import { formatShadowTopic, parseShadowTopic } from '../shadow/topics'

// The Device Shadow service on MQTT: a PUBLISH to `…/shadow[/name/<s>]/get|update|delete` is a
// request to the sandbox's one ShadowBook; its reply (`…/accepted` or `…/rejected`) and, for an
// accepted update, `update/delta` and `update/documents` go back out through the broker. The
// topic permissions the broker already checked are the only authorisation (research/iot-core.md §2.1).

/**
 * Runs the request a topic names and returns what to publish, or undefined when the topic is not a
 * shadow request topic (a response topic, another `$aws` topic, an ordinary topic).
 */
export function answerShadowRequest(
  shadows: ShadowBook,
  topic: string,
  payload: Uint8Array,
  throttling?: { rate: ShadowRequestRate; now(): number }
): ShadowMessage[] | undefined {
  const request = parseShadowTopic(topic)
  if (request === null || request.suffix !== undefined) return undefined
  const key = request.shadowName === undefined ? { thingName: request.thingName } : { thingName: request.thingName, shadowName: request.shadowName }
  if (throttling && !throttling.rate.allow(request.thingName)) {
    const rejected = shadowErrors.throttled().rejectedPayload(Math.floor(throttling.now() / 1000), clientTokenOf(payload))
    return [{ topic: formatShadowTopic(key, request.operation, 'rejected'), payload: rejected }]
  }
  const result = shadows.handle(request.operation, key, payload)
  return result.accepted ? [result.reply, ...result.notifications] : [result.reply]
}

/** The request's clientToken, echoed on the refusal when the payload is a JSON object carrying one. */
function clientTokenOf(payload: Uint8Array): string | undefined {
  try {
    const token = (JSON.parse(Buffer.from(payload).toString('utf8')) as { clientToken?: unknown } | null)?.clientToken
    return typeof token === 'string' ? token : undefined
  } catch {
    return undefined
  }
}
