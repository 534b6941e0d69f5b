import type { CertificateRecord, ThingPrincipalRecord, ThingRecord } from '../state/records'
import type { Store } from '../state/store'
import { certificateFacts, type CertificateFacts } from './certificateFacts'
import { evaluateAuthorization, type AuthorizationRequest, type AuthorizationResult } from './evaluate'
import { policiesInForce, type AttachedPolicy } from './inForce'
import type { AuthorizationContext, ThingContext } from './variables'

// What a device connection is allowed, from the registry: the thing the connection is associated
// with, the certificate's facts and the policies in force (research/iot-core.md §3.4–3.5). The broker,
// the HTTP data plane and TestAuthorization all go through here.

export interface DeviceIdentity {
  /** The registered certificate the device presented (by fingerprint). */
  certificateId: string
  /** The MQTT client id; absent for the HTTP data plane. */
  clientId?: string
  sourceIp?: string
  /**
   * Thing variables (and so group policies) exist only on MQTT and MQTT over WebSocket connections
   * (DG thing-policy-variables.md); the HTTP data plane passes 'http'. Default 'mqtt'.
   */
  protocol?: 'mqtt' | 'http'
}

export interface DeviceAuthorization {
  context: AuthorizationContext
  policies: AttachedPolicy[]
}

/**
 * The thing a connection is associated with: the thing named by the client id when the certificate is
 * attached to it, else the only thing the certificate is attached to exclusively (EXCLUSIVE_THING).
 * Undefined otherwise; thing variables then do not resolve.
 */
export function associatedThing(store: Store, certificateArn: string, clientId: string | undefined): ThingContext | undefined {
  const attachments = store.filter<ThingPrincipalRecord>('thingPrincipals', (p) => p.principal === certificateArn)
  const byClientId = clientId === undefined ? undefined : attachments.find((a) => a.thingName === clientId)
  const exclusive = attachments.length === 1 && attachments[0]!.thingPrincipalType === 'EXCLUSIVE_THING' ? attachments[0] : undefined
  const thingName = (byClientId ?? exclusive)?.thingName
  const thing = thingName === undefined ? undefined : store.get<ThingRecord>('things', thingName)
  if (!thing) return undefined
  return {
    thingName: thing.thingName,
    ...(thing.thingTypeName !== undefined ? { thingTypeName: thing.thingTypeName } : {}),
    attributes: thing.attributes,
    isAttached: true
  }
}

const MAX_CACHED_FACTS = 1000
// A certificate id is the hash of the certificate, so its facts never change.
const factsById = new Map<string, CertificateFacts>()

function factsOf(certificate: CertificateRecord): CertificateFacts | undefined {
  let facts = factsById.get(certificate.certificateId)
  if (!facts) {
    try {
      facts = certificateFacts(certificate.certificatePem)
    } catch {
      return undefined
    }
    if (factsById.size >= MAX_CACHED_FACTS) factsById.delete(factsById.keys().next().value!)
    factsById.set(certificate.certificateId, facts)
  }
  return facts
}

/**
 * The context and policies of a device. Group policies apply only when the client id is the thing's
 * name (DG thing-groups.md). An unknown certificate has no policies, so everything is refused.
 */
export function deviceAuthorization(store: Store, identity: DeviceIdentity): DeviceAuthorization {
  const certificate = store.get<CertificateRecord>('certificates', identity.certificateId.toLowerCase().replace(/^0x/, ''))
  const thing =
    certificate && identity.protocol !== 'http' ? associatedThing(store, certificate.certificateArn, identity.clientId) : undefined
  const facts = certificate ? factsOf(certificate) : undefined
  const context: AuthorizationContext = {
    ...(identity.clientId !== undefined ? { clientId: identity.clientId } : {}),
    ...(thing ? { thing } : {}),
    ...(facts ? { certificate: facts } : {}),
    ...(identity.sourceIp !== undefined ? { sourceIp: identity.sourceIp } : {})
  }
  const groupsApply = thing !== undefined && thing.thingName === identity.clientId
  const policies = certificate
    ? policiesInForce(store, { certificateId: certificate.certificateId, ...(groupsApply ? { thingName: thing.thingName } : {}) })
    : []
  return { context, policies }
}

/** Decides one request of a device, reading the registry now (policy changes apply at once). */
export function authorizeDevice(store: Store, identity: DeviceIdentity, request: AuthorizationRequest): AuthorizationResult {
  const { context, policies } = deviceAuthorization(store, identity)
  return evaluateAuthorization(policies, request, context)
}
