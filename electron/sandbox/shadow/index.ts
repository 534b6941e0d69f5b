// The Local IoT Core's Device Shadow service: the document engine, without a wire. The MQTT broker
// and the HTTP data plane both call a ShadowBook and send what it returns.

export { ShadowBook, type ShadowBookOptions, type ShadowMessage, type ShadowResult } from './book'
export { ShadowError, shadowErrors, type ShadowErrorCode } from './errors'
export type { JsonObject, JsonValue } from './json'
export { AWS_SHADOW_LIMITS, type ShadowLimits } from './limits'
export { checkShadowKey, isValidShadowKey, shadowNameRule, shadowThingNameRule, type ShadowKey } from './names'
export { shadowRecordKey, type ShadowMetadata, type ShadowPersistence, type ShadowRecord, type ShadowState } from './record'
export { formatShadowTopic, parseShadowTopic, shadowTopicPrefix, type ShadowOperation, type ShadowTopic, type ShadowTopicSuffix } from './topics'
export { openStoredShadows } from './storedShadows'
