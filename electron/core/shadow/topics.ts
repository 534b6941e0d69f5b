import { formatShadowTopic, type ShadowOperation, type ShadowTopicKey } from '../../shared/shadowTopics'

// The shadow client's view of the topic grammar shared with the Local IoT Core (electron/shared/shadowTopics).

export { shadowTopicPrefix, type ShadowOperation } from '../../shared/shadowTopics'
export type ShadowResponse = 'accepted' | 'rejected'

/** Where a request is published. */
export const requestTopic = (key: ShadowTopicKey, operation: ShadowOperation): string => formatShadowTopic(key, operation)

/** Where the service answers a request. */
export const responseTopic = (key: ShadowTopicKey, operation: ShadowOperation, response: ShadowResponse): string =>
  formatShadowTopic(key, operation, response)

export const deltaTopic = (key: ShadowTopicKey): string => formatShadowTopic(key, 'update', 'delta')
export const documentsTopic = (key: ShadowTopicKey): string => formatShadowTopic(key, 'update', 'documents')
