import { ALTERNATIVE_NAME_FIELDS, DISTINGUISHED_NAME_FIELDS, type CertificateFacts } from './certificateFacts'

// The policy variables and condition keys of a request (research/iot-core.md §3.4): the client id,
// the thing the connection is associated with, the certificate's attributes, the source address.
// Names are matched without regard to case, except an attribute name inside `Attributes[...]`.

/** The thing a connection is associated with (see associatedThing in connectionAuthorization.ts). */
export interface ThingContext {
  thingName: string
  thingTypeName?: string
  attributes: Readonly<Record<string, string>>
  /** Whether the connecting certificate is attached to the thing (AttachThingPrincipal). */
  isAttached: boolean
}

export interface AuthorizationContext {
  /** The MQTT client id; absent for the HTTP data plane. */
  clientId?: string
  /** Absent when the connection is not associated with a thing: thing variables then do not resolve. */
  thing?: ThingContext
  /** Absent when the principal is not a certificate. */
  certificate?: CertificateFacts
  /** `aws:SourceIp`. */
  sourceIp?: string
}

/** AWS leaves a certificate variable unsubstituted when its value holds a wildcard or is longer than this. */
const MAX_CERTIFICATE_VALUE_CHARS = 1024
const CERTIFICATE_WILDCARDS = /[*$+?#]/
/** DG use-policy-variables.md: these characters reach the policy backslash-escaped. */
const ESCAPED_CHARACTERS = /[,"\\=<>;]/g

const DN_FIELDS = new Map(Object.values(DISTINGUISHED_NAME_FIELDS).map((field) => [field.toLowerCase(), field]))
const ALT_FIELDS = new Map(ALTERNATIVE_NAME_FIELDS.map((field) => [field.toLowerCase(), field]))
const CERTIFICATE_NAME = /^iot:certificate\.(subject|issuer)\.(?:(alternativename)\.)?([a-z0-9]+)(?:\.(list|\d+))?$/

/**
 * The values of a variable or condition key: one value for a plain key, the list for a `.List` key,
 * undefined when the request has no value for it.
 */
export function contextValues(context: AuthorizationContext, name: string): string[] | undefined {
  const attribute = /^iot:connection\.thing\.attributes\[(.*)\]$/i.exec(name)
  if (attribute) {
    const value = context.thing?.attributes[attribute[1]!]
    return value === undefined ? undefined : [value]
  }
  const key = name.toLowerCase()
  const single = (value: string | undefined): string[] | undefined => (value === undefined ? undefined : [value])
  switch (key) {
    case 'iot:clientid':
      return single(context.clientId)
    case 'aws:sourceip':
      return single(context.sourceIp)
    case 'iot:connection.thing.thingname':
      return single(context.thing?.thingName)
    case 'iot:connection.thing.thingtypename':
      return single(context.thing?.thingTypeName)
    case 'iot:connection.thing.isattached':
      return single(context.thing ? String(context.thing.isAttached) : undefined)
    case 'iot:certificateid':
      return single(context.certificate?.certificateId)
    case 'iot:certificate.serialnumber':
      return single(context.certificate?.serialNumber)
    case 'iot:certificate.availablekeys':
      return context.certificate ? availableCertificateKeys(context.certificate) : undefined
  }
  return context.certificate ? certificateValues(context.certificate, key) : undefined
}

/** The value `${name}` is replaced with; a list key (`.List`) is never substituted. */
export function substitutionValue(context: AuthorizationContext, name: string): string | undefined {
  if (/\.list$/i.test(name)) return undefined
  return contextValues(context, name)?.[0]
}

function usable(value: string): string | undefined {
  if (value.length > MAX_CERTIFICATE_VALUE_CHARS || CERTIFICATE_WILDCARDS.test(value)) return undefined
  return value.replace(ESCAPED_CHARACTERS, (char) => `\\${char}`)
}

function certificateValues(certificate: CertificateFacts, key: string): string[] | undefined {
  const parts = CERTIFICATE_NAME.exec(key)
  if (!parts) return undefined
  const [, side, alternative, fieldKey, selector] = parts
  const values = alternative
    ? (side === 'subject' ? certificate.subjectAlternativeName : certificate.issuerAlternativeName)[ALT_FIELDS.get(fieldKey!)!]
    : (side === 'subject' ? certificate.subject : certificate.issuer)[DN_FIELDS.get(fieldKey!)!]
  if (!values || values.length === 0) return undefined
  if (selector === 'list') {
    const list = values.flatMap((value) => usable(value) ?? [])
    return list.length > 0 ? list : undefined
  }
  // `.1` is the second value: AWS counts the plain name as the first.
  const value = values[selector === undefined ? 0 : Number(selector)]
  const substituted = value === undefined ? undefined : usable(value)
  return substituted === undefined ? undefined : [substituted]
}

function availableCertificateKeys(certificate: CertificateFacts): string[] {
  const keys = ['iot:CertificateId', 'iot:Certificate.SerialNumber']
  const add = (prefix: string, fields: Partial<Record<string, string[]>>): void => {
    for (const [field, values] of Object.entries(fields)) if (values && values.length > 0) keys.push(`${prefix}.${field}`)
  }
  add('iot:Certificate.Subject', certificate.subject)
  add('iot:Certificate.Issuer', certificate.issuer)
  add('iot:Certificate.Subject.AlternativeName', certificate.subjectAlternativeName)
  add('iot:Certificate.Issuer.AlternativeName', certificate.issuerAlternativeName)
  return keys
}
