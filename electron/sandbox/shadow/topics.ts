import { splitShadowTopic, type ShadowTopicParts } from '../../shared/shadowTopics'
import { isValidShadowKey } from './names'

// The topic grammar is shared with core (electron/shared/shadowTopics); the service also checks the
// names in it against AWS's rules.

export { formatShadowTopic, shadowTopicPrefix, type ShadowOperation, type ShadowTopicSuffix } from '../../shared/shadowTopics'
export type ShadowTopic = ShadowTopicParts

/** The parts of a shadow topic, or null when `topic` is not one (unknown operation or suffix, invalid names). */
export function parseShadowTopic(topic: string): ShadowTopic | null {
  const parts = splitShadowTopic(topic)
  return parts && isValidShadowKey(parts) ? parts : null
}
