import type { iot, mqtt } from 'aws-iot-device-sdk-v2'
import type { ConnectionIdentity } from './connection'

/** Where a connection goes: host and port, and the CA its server certificate must chain to. */
export interface MqttEndpoint {
  host: string
  port: number
  /** PEM: Amazon Root CA 1 for AWS, the Local IoT Core's CA file for the sandbox. Replaces the system trust store. */
  caPem: string
}

/** Something the broker refused without saying why; the target's `explain` asks AWS. */
export type RefusedOperation = { action: 'connect' } | { action: 'subscribe'; filter: string } | { action: 'publish'; topic: string }

/** A connection ready to be opened: the CRT configuration (TLS context built once, reused on every reconnect) and how to explain refusals. */
export interface PreparedTarget {
  config: mqtt.MqttConnectionConfig
  /** The reason, in plain words, when AWS confirms the operation is refused; undefined when it cannot tell. */
  explain?: (operation: RefusedOperation) => Promise<string | undefined>
}

/** Who connects where; `prepare` loads credentials and is called only when a new connection is opened. */
export interface MqttTarget {
  identity: ConnectionIdentity
  endpoint: MqttEndpoint
  prepare(): Promise<PreparedTarget>
}

/**
 * The settings every connection shares. Clean session, because the manager resubscribes and keeps its
 * own offline queue; keep-alive 30 s, AWS's minimum, so a dead link is noticed quickly. The CRT's own
 * reconnect is held at 1 s: the manager reconnects with its own backoff and jitter, and a
 * `disconnect()` of an interrupted CRT connection only completes at its next reconnect tick.
 */
export function withSharedSettings(builder: iot.AwsIotMqttConnectionConfigBuilder, endpoint: MqttEndpoint, clientId: string): iot.AwsIotMqttConnectionConfigBuilder {
  return builder
    .with_endpoint(endpoint.host)
    .with_port(endpoint.port)
    .with_client_id(clientId)
    .with_clean_session(true)
    .with_keep_alive_seconds(30)
    .with_ping_timeout_ms(5_000)
    .with_protocol_operation_timeout_ms(10_000)
    .with_reconnect_min_sec(1)
    .with_reconnect_max_sec(1)
}

export function addressOf(endpoint: Pick<MqttEndpoint, 'host' | 'port'>): string {
  return `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`
}
