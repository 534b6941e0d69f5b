// Device Shadows from core: the shadow client (MQTT or HTTP), the watch, and the simulated device.
export type {
  JsonObject,
  JsonValue,
  ShadowDelta,
  ShadowDeleted,
  ShadowDocument,
  ShadowDocuments,
  ShadowKey,
  ShadowState,
  ShadowStateChange,
  ShadowUpdateAccepted,
  ShadowUpdateRequest
} from './document'
export { describeShadow } from './document'
export { ShadowClient, type UpdateOptions } from './client'
export { ShadowConflictError, ShadowError, type ShadowVia } from './errors'
export { shadowKeyProblem } from './names'
export type { NamedShadowPage, ShadowTransport } from './transport'
export { ShadowWatch, watchShadow, type ShadowWatchEvent, type ShadowWatchOptions } from './watch'
export { SimulatedDevice, type DeltaAnswering, type SimulatedDeviceEvent, type SimulatedDeviceOptions } from './simulatedDevice'
export { applyEveryDelta, type DeviceBehaviour } from './deviceBehaviour'
