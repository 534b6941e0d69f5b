// Record shapes shared by the sandbox's domains. Dates are epoch milliseconds; the wire format
// (epoch seconds) is produced by the handlers.

export interface ThingRecord {
  thingName: string
  thingId: string
  thingArn: string
  thingTypeName?: string
  attributes: Record<string, string>
  version: number
  creationDate: number
}

export interface ThingTypeRecord {
  thingTypeName: string
  thingTypeId: string
  thingTypeArn: string
  description?: string
  searchableAttributes: string[]
  deprecated: boolean
  deprecationDate?: number
  creationDate: number
}

export interface ThingGroupRecord {
  thingGroupName: string
  thingGroupId: string
  thingGroupArn: string
  parentGroupName?: string
  description?: string
  attributes: Record<string, string>
  version: number
  creationDate: number
}

export interface ThingGroupMemberRecord {
  thingGroupName: string
  thingName: string
}

export type CertificateStatus =
  | 'ACTIVE'
  | 'INACTIVE'
  | 'REVOKED'
  | 'PENDING_TRANSFER'
  | 'REGISTER_INACTIVE'
  | 'PENDING_ACTIVATION'

export interface CertificateRecord {
  certificateId: string
  certificateArn: string
  certificatePem: string
  status: CertificateStatus
  /** SHA-256 of the issuing CA's DER when the sandbox CA signed it; absent for registered-without-CA. */
  caCertificateId?: string
  certificateMode: 'DEFAULT' | 'SNI_ONLY'
  notBefore: number
  notAfter: number
  creationDate: number
  lastModifiedDate: number
  generationId: string
}

export interface PolicyVersionRecord {
  versionId: string
  document: string
  createDate: number
}

export interface PolicyRecord {
  policyName: string
  policyArn: string
  defaultVersionId: string
  /** Next version id to hand out; ids are never reused. */
  nextVersionId: number
  versions: PolicyVersionRecord[]
  creationDate: number
  lastModifiedDate: number
}

export interface PolicyTargetRecord {
  policyName: string
  /** Certificate ARN or thing-group ARN. */
  target: string
}

export interface ThingPrincipalRecord {
  thingName: string
  principal: string
  thingPrincipalType: 'EXCLUSIVE_THING' | 'NON_EXCLUSIVE_THING'
}

export interface RetainedMessageRecord {
  topic: string
  /** The payload's bytes, base64. */
  payload: string
  qos: 0 | 1
  lastModifiedTime: number
}
