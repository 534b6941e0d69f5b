// AWS IoT's lifecycle events (DG life-cycle-events.md): the topics and payloads the broker
// publishes when a client connects, disconnects, subscribes or unsubscribes. Client ids with `#`
// or `+` get none.

export type DisconnectReason =
  | 'AUTH_ERROR'
  | 'CLIENT_INITIATED_DISCONNECT'
  | 'CLIENT_ERROR'
  | 'CONNECTION_LOST'
  | 'DUPLICATE_CLIENTID'
  | 'MQTT_KEEP_ALIVE_TIMEOUT'
  | 'SERVER_INITIATED_DISCONNECT'

/** What every event of one connection shares. */
export interface LifecycleSubject {
  clientId: string
  /** A UUID per connection. */
  sessionIdentifier: string
  /** For a certificate connection: the certificate id. */
  principalIdentifier: string
  /** Counts the client id's connections, so a consumer can order events (AWS's versionNumber). */
  versionNumber: number
  ipAddress?: string
  thingName?: string
}

export interface LifecycleEvent {
  topic: string
  payload: Record<string, unknown>
}

export function hasLifecycleEvents(clientId: string): boolean {
  return !clientId.includes('#') && !clientId.includes('+')
}

/** The fields every lifecycle event's payload starts with. */
function commonFields(subject: LifecycleSubject, eventType: string, timestamp: number): Record<string, unknown> {
  return {
    clientId: subject.clientId,
    timestamp,
    eventType,
    sessionIdentifier: subject.sessionIdentifier,
    principalIdentifier: subject.principalIdentifier
  }
}

export function connectedEvent(subject: LifecycleSubject, timestamp: number): LifecycleEvent {
  return {
    topic: `$aws/events/presence/connected/${subject.clientId}`,
    payload: {
      ...commonFields(subject, 'connected', timestamp),
      ...(subject.ipAddress !== undefined ? { ipAddress: subject.ipAddress } : {}),
      ...(subject.thingName !== undefined ? { thingName: subject.thingName } : {}),
      versionNumber: subject.versionNumber
    }
  }
}

export function disconnectedEvent(subject: LifecycleSubject, reason: DisconnectReason, timestamp: number): LifecycleEvent {
  return {
    topic: `$aws/events/presence/disconnected/${subject.clientId}`,
    payload: {
      ...commonFields(subject, 'disconnected', timestamp),
      clientInitiatedDisconnect: reason === 'CLIENT_INITIATED_DISCONNECT',
      disconnectReason: reason,
      ...(subject.thingName !== undefined ? { thingName: subject.thingName } : {}),
      versionNumber: subject.versionNumber
    }
  }
}

export function subscriptionEvent(subject: LifecycleSubject, kind: 'subscribed' | 'unsubscribed', topics: string[], timestamp: number): LifecycleEvent {
  return {
    topic: `$aws/events/subscriptions/${kind}/${subject.clientId}`,
    payload: {
      ...commonFields(subject, kind, timestamp),
      topics
    }
  }
}
