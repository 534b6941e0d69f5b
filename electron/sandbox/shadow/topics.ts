import { isValidShadowKey, type ShadowKey } from './names'

// The shadow service's MQTT topics (research/iot-core.md §2.1): classic
// `$aws/things/<thing>/shadow/<operation>[/<suffix>]`, named
// `$aws/things/<thing>/shadow/name/<shadow>/<operation>[/<suffix>]`. Case-sensitive.

export type ShadowOperation = 'get' | 'update' | 'delete'
export type ShadowTopicSuffix = 'accepted' | 'rejected' | 'delta' | 'documents'

export interface ShadowTopic extends ShadowKey {
  operation: ShadowOperation
  /** Absent on a request topic (what a client publishes to); present on a response topic. */
  suffix?: ShadowTopicSuffix
}

const SUFFIXES: Record<ShadowOperation, readonly ShadowTopicSuffix[]> = {
  get: ['accepted', 'rejected'],
  update: ['accepted', 'rejected', 'delta', 'documents'],
  delete: ['accepted', 'rejected']
}

const isOperation = (value: string): value is ShadowOperation => Object.hasOwn(SUFFIXES, value)

/** The parts of a shadow topic, or null when `topic` is not one (unknown operation or suffix, invalid names). */
export function parseShadowTopic(topic: string): ShadowTopic | null {
  const parts = topic.split('/')
  if (parts.length < 5 || parts[0] !== '$aws' || parts[1] !== 'things' || parts[3] !== 'shadow') return null
  const thingName = parts[2]
  const named = parts[4] === 'name'
  const shadowName = named ? parts[5] : undefined
  const rest = parts.slice(named ? 6 : 4)
  if (rest.length < 1 || rest.length > 2) return null
  const [operation, suffix] = rest
  if (!isOperation(operation)) return null
  if (suffix !== undefined && !SUFFIXES[operation].includes(suffix as ShadowTopicSuffix)) return null
  const key: ShadowKey = shadowName === undefined ? { thingName } : { thingName, shadowName }
  if (!isValidShadowKey(key)) return null
  return suffix === undefined ? { ...key, operation } : { ...key, operation, suffix: suffix as ShadowTopicSuffix }
}

/** `$aws/things/<thing>/shadow` or `$aws/things/<thing>/shadow/name/<shadow>`. */
export function shadowTopicPrefix(key: ShadowKey): string {
  const classic = `$aws/things/${key.thingName}/shadow`
  return key.shadowName === undefined ? classic : `${classic}/name/${key.shadowName}`
}

export function formatShadowTopic(key: ShadowKey, operation: ShadowOperation, suffix?: ShadowTopicSuffix): string {
  if (suffix !== undefined && !SUFFIXES[operation].includes(suffix)) throw new Error(`A shadow ${operation} has no /${suffix} topic.`)
  const base = `${shadowTopicPrefix(key)}/${operation}`
  return suffix === undefined ? base : `${base}/${suffix}`
}
