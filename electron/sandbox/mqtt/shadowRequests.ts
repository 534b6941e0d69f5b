import type { ShadowBook, ShadowMessage } from '../shadow'
import { parseShadowTopic } from '../shadow/topics'

// The Device Shadow service on MQTT: a PUBLISH to `…/shadow[/name/<s>]/get|update|delete` is a
// request to the sandbox's one ShadowBook; its reply (`…/accepted` or `…/rejected`) and, for an
// accepted update, `update/delta` and `update/documents` go back out through the broker. The
// topic permissions the broker already checked are the only authorisation (research/iot-core.md §2.1).

/**
 * Runs the request a topic names and returns what to publish, or undefined when the topic is not a
 * shadow request topic (a response topic, another `$aws` topic, an ordinary topic).
 */
export function answerShadowRequest(shadows: ShadowBook, topic: string, payload: Uint8Array): ShadowMessage[] | undefined {
  const request = parseShadowTopic(topic)
  if (request === null || request.suffix !== undefined) return undefined
  const key = request.shadowName === undefined ? { thingName: request.thingName } : { thingName: request.thingName, shadowName: request.shadowName }
  const result = shadows.handle(request.operation, key, payload)
  return result.accepted ? [result.reply, ...result.notifications] : [result.reply]
}
