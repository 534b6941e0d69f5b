// Device and operator MQTT connections (aws-iot-device-sdk-v2 over aws-crt) under one connection manager.
export type { ConnectionIdentity, ConnectionState, MqttConnection, Qos, ReceivedMessage } from './connection'
export { ConnectionManager, type ConnectionLease, type ConnectionManagerOptions } from './connectionManager'
export { MqttConnectionError, MqttSubscribeError, type ConnectionPolicy, type ReconnectPolicy } from './managedConnection'
export { MqttPublishError } from './publishQueue'
export { deviceTarget, awsDeviceEndpoint, type DeviceTargetOptions } from './deviceTarget'
export { operatorTarget, type OperatorTargetOptions, type OperatorCredentials } from './operatorTarget'
export { loadDeviceCredentials, DeviceCredentialsError, type DeviceCredentials } from './deviceCredentials'
export type { MqttEndpoint, MqttTarget, PreparedTarget, RefusedOperation } from './target'
