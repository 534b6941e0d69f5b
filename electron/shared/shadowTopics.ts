// The shadow service's MQTT topics (research/iot-core.md §2.1), for both sides of the wire: the
// Local IoT Core answers on them and core's shadow client publishes and subscribes to them.
// Classic `$aws/things/<thing>/shadow/<operation>[/<suffix>]`, named
// `$aws/things/<thing>/shadow/name/<shadow>/<operation>[/<suffix>]`. Case-sensitive.

export interface ShadowTopicKey {
  thingName: string
  /** Absent for the classic (unnamed) shadow. */
  shadowName?: string
}

export type ShadowOperation = 'get' | 'update' | 'delete'
export type ShadowTopicSuffix = 'accepted' | 'rejected' | 'delta' | 'documents'

export interface ShadowTopicParts extends ShadowTopicKey {
  operation: ShadowOperation
  /** Absent on a request topic (what a client publishes to); present on a response topic. */
  suffix?: ShadowTopicSuffix
}

const suffixesOf: Record<ShadowOperation, readonly ShadowTopicSuffix[]> = {
  get: ['accepted', 'rejected'],
  update: ['accepted', 'rejected', 'delta', 'documents'],
  delete: ['accepted', 'rejected']
}

const isOperation = (value: string): value is ShadowOperation => Object.hasOwn(suffixesOf, value)

/** `$aws/things/<thing>/shadow` or `$aws/things/<thing>/shadow/name/<shadow>`. */
export function shadowTopicPrefix(key: ShadowTopicKey): string {
  const classic = `$aws/things/${key.thingName}/shadow`
  return key.shadowName === undefined ? classic : `${classic}/name/${key.shadowName}`
}

/** A request topic (no suffix) or a response topic; throws for a suffix the operation does not have. */
export function formatShadowTopic(key: ShadowTopicKey, operation: ShadowOperation, suffix?: ShadowTopicSuffix): string {
  if (suffix !== undefined && !suffixesOf[operation].includes(suffix)) throw new Error(`A shadow ${operation} has no /${suffix} topic.`)
  const base = `${shadowTopicPrefix(key)}/${operation}`
  return suffix === undefined ? base : `${base}/${suffix}`
}

/** The parts of a topic shaped like a shadow topic (names not checked), or null when it is not one. */
export function splitShadowTopic(topic: string): ShadowTopicParts | null {
  const parts = topic.split('/')
  if (parts.length < 5 || parts[0] !== '$aws' || parts[1] !== 'things' || parts[3] !== 'shadow') return null
  const thingName = parts[2]
  const named = parts[4] === 'name'
  const shadowName = named ? parts[5] : undefined
  const rest = parts.slice(named ? 6 : 4)
  if (rest.length < 1 || rest.length > 2) return null
  const [operation, suffix] = rest
  if (!isOperation(operation)) return null
  if (suffix !== undefined && !suffixesOf[operation].includes(suffix as ShadowTopicSuffix)) return null
  const key: ShadowTopicKey = shadowName === undefined ? { thingName } : { thingName, shadowName }
  return suffix === undefined ? { ...key, operation } : { ...key, operation, suffix: suffix as ShadowTopicSuffix }
}
