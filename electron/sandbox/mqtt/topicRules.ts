import { parseShadowTopic } from '../shadow/topics'

// AWS IoT's rules for MQTT names that the MQTT specification leaves open (research/iot-core.md §3.6,
// mqtt-shadow.md §2.2–2.3): sizes, the reserved `$` space, keep-alive bounds, and `#` not matching
// the parent level.

export const AWS_MQTT_LIMITS = {
  maxTopicBytes: 256,
  /** Slashes in a topic or filter, not counting the Basic Ingest prefix `$aws/rules/<rule>/`. */
  maxTopicSlashes: 7,
  maxPayloadBytes: 128 * 1024,
  maxClientIdBytes: 128,
  minKeepAliveSeconds: 30,
  maxKeepAliveSeconds: 1200
} as const

const BASIC_INGEST_PREFIX = /^\$aws\/rules\/[^/]+\//

/** Why AWS would refuse the topic or filter's size, or undefined. */
export function topicSizeProblem(topic: string): string | undefined {
  const bytes = Buffer.byteLength(topic, 'utf8')
  if (bytes > AWS_MQTT_LIMITS.maxTopicBytes) return `the topic is ${bytes} bytes long; AWS IoT allows ${AWS_MQTT_LIMITS.maxTopicBytes}`
  const counted = topic.replace(BASIC_INGEST_PREFIX, '')
  const slashes = counted.split('/').length - 1
  if (slashes > AWS_MQTT_LIMITS.maxTopicSlashes)
    return `the topic has ${slashes} slashes; AWS IoT allows ${AWS_MQTT_LIMITS.maxTopicSlashes}`
  return undefined
}

/**
 * Whether a client may publish to a `$` topic: only the request topics of AWS's services. Topics
 * that the services publish on (`…/accepted`, lifecycle events) and any other `$` topic are reserved.
 */
export function isPublishableReservedTopic(topic: string): boolean {
  if (topic.startsWith('$aws/things/')) {
    const shadow = parseShadowTopic(topic)
    if (shadow) return shadow.suffix === undefined
    return /^\$aws\/things\/[^/]+\/jobs\//.test(topic) && !/\/(accepted|rejected|notify|notify-next)$/.test(topic)
  }
  return (
    BASIC_INGEST_PREFIX.test(topic) ||
    /^\$aws\/certificates\/create(-from-csr)?\/(json|cbor)$/.test(topic) ||
    /^\$aws\/provisioning-templates\/[^/]+\/provision\/(json|cbor)$/.test(topic)
  )
}

/** Whether AWS refuses a publish for the reserved `$` space: any retained `$` message, or a `$` topic no service takes. */
export function isReservedForPublish(topic: string, retain: boolean): boolean {
  return topic.startsWith('$') && (retain || !isPublishableReservedTopic(topic))
}

/** What AWS refuses in a publish's topic, worded once for MQTT and the HTTP Publish API; `reserved` marks the `$` space (HTTP's ForbiddenException). */
export function publishTopicProblem(topic: string, retain: boolean): { message: string; reserved: boolean } | undefined {
  if (topic.includes('+') || topic.includes('#'))
    return { message: 'the topic contains a wildcard (+ or #); publish to a topic name, not a topic filter', reserved: false }
  const size = topicSizeProblem(topic)
  if (size) return { message: size, reserved: false }
  if (isReservedForPublish(topic, retain))
    return {
      message: retain
        ? 'the topic is reserved: messages on $ topics cannot be retained'
        : "the topic is reserved: only AWS's request topics (e.g. $aws/things/<thing>/shadow/update) may be published to",
      reserved: true
    }
  return undefined
}

/** Whether a client may subscribe to a filter in the `$` space: AWS's own topic trees only. */
export function isSubscribableReservedFilter(filter: string): boolean {
  return /^\$aws\/(things|events|certificates|provisioning-templates)\//.test(filter)
}

/** AWS's keep-alive: 0 or more than 1200 s become 1200, less than 30 becomes 30. */
export function clampKeepAlive(seconds: number): number {
  if (seconds === 0 || seconds > AWS_MQTT_LIMITS.maxKeepAliveSeconds) return AWS_MQTT_LIMITS.maxKeepAliveSeconds
  return Math.max(seconds, AWS_MQTT_LIMITS.minKeepAliveSeconds)
}

/**
 * Whether a filter matches a topic as AWS matches it: MQTT's rules, except that `a/#` does not
 * match `a` (DGNOW "differences from MQTT specifications"), and wildcards at the start never match `$` topics.
 */
export function awsFilterMatches(filter: string, topic: string): boolean {
  if ((filter.startsWith('#') || filter.startsWith('+')) && topic.startsWith('$')) return false
  const filterLevels = filter.split('/')
  const topicLevels = topic.split('/')
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i]
    if (level === '#') return topicLevels.length > i
    if (i >= topicLevels.length) return false
    if (level !== '+' && level !== topicLevels[i]) return false
  }
  return filterLevels.length === topicLevels.length
}
