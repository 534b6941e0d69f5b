import type { ShadowKey } from './document'

// The shadow service's MQTT topics (research/iot-core.md §2.1): classic
// `$aws/things/<thing>/shadow/<operation>[/<suffix>]`, named `…/shadow/name/<shadow>/<operation>[/<suffix>]`.

export type ShadowOperation = 'get' | 'update' | 'delete'
export type ShadowResponse = 'accepted' | 'rejected'

export function shadowTopicPrefix(key: ShadowKey): string {
  const classic = `$aws/things/${key.thingName}/shadow`
  return key.shadowName === undefined ? classic : `${classic}/name/${key.shadowName}`
}

/** Where a request is published. */
export const requestTopic = (key: ShadowKey, operation: ShadowOperation): string => `${shadowTopicPrefix(key)}/${operation}`

/** Where the service answers a request. */
export const responseTopic = (key: ShadowKey, operation: ShadowOperation, response: ShadowResponse): string =>
  `${shadowTopicPrefix(key)}/${operation}/${response}`

export const deltaTopic = (key: ShadowKey): string => `${shadowTopicPrefix(key)}/update/delta`
export const documentsTopic = (key: ShadowKey): string => `${shadowTopicPrefix(key)}/update/documents`
