import { AsnConvert } from '@peculiar/asn1-schema'
import {
  Certificate,
  GeneralNames,
  id_ce_issuerAltName,
  id_ce_subjectAltName,
  type GeneralName,
  type Name
} from '@peculiar/asn1-x509'
import { certificateIdOf } from '../ca/localCa'
import { pemToDer } from '../ca/pem'

// What a device certificate tells the policy engine (research/iot-core.md §3.4, DG
// cert-policy-variables.md): its id, its serial number in decimal, the subject's and issuer's
// attributes and alternative names, each a list of values in certificate order (AWS keeps five).

export const DISTINGUISHED_NAME_FIELDS = {
  '2.5.4.46': 'DistinguishedNameQualifier',
  '2.5.4.6': 'Country',
  '2.5.4.10': 'Organization',
  '2.5.4.11': 'OrganizationalUnit',
  '2.5.4.8': 'State',
  '2.5.4.3': 'CommonName',
  '2.5.4.5': 'SerialNumber',
  '2.5.4.12': 'Title',
  '2.5.4.4': 'Surname',
  '2.5.4.42': 'GivenName',
  '2.5.4.43': 'Initials',
  '2.5.4.65': 'Pseudonym',
  '2.5.4.44': 'GenerationQualifier'
} as const
export const ALTERNATIVE_NAME_FIELDS = ['RFC822Name', 'DNSName', 'DirectoryName', 'UniformResourceIdentifier', 'IPAddress'] as const

export type DistinguishedNameField = (typeof DISTINGUISHED_NAME_FIELDS)[keyof typeof DISTINGUISHED_NAME_FIELDS]
export type AlternativeNameField = (typeof ALTERNATIVE_NAME_FIELDS)[number]

/** AWS substitutes at most five values of a multi-valued attribute. */
export const MAX_ATTRIBUTE_VALUES = 5

export interface CertificateFacts {
  certificateId: string
  /** The serial number as a decimal integer, the way AWS substitutes it. */
  serialNumber: string
  subject: Partial<Record<DistinguishedNameField, string[]>>
  issuer: Partial<Record<DistinguishedNameField, string[]>>
  subjectAlternativeName: Partial<Record<AlternativeNameField, string[]>>
  issuerAlternativeName: Partial<Record<AlternativeNameField, string[]>>
}

/** Reads the facts from a certificate PEM (as stored by the registry); throws if it is not one. */
export function certificateFacts(certificatePem: string): CertificateFacts {
  const der = pemToDer(certificatePem, ['CERTIFICATE'])
  const tbs = AsnConvert.parse(der, Certificate).tbsCertificate
  const extension = (id: string): GeneralName[] => {
    const found = tbs.extensions?.find((e) => e.extnID === id)
    return found ? [...AsnConvert.parse(found.extnValue, GeneralNames)] : []
  }
  return {
    certificateId: certificateIdOf(der),
    serialNumber: BigInt(`0x${Buffer.from(tbs.serialNumber).toString('hex') || '0'}`).toString(10),
    subject: nameFields(tbs.subject),
    issuer: nameFields(tbs.issuer),
    subjectAlternativeName: alternativeNameFields(extension(id_ce_subjectAltName)),
    issuerAlternativeName: alternativeNameFields(extension(id_ce_issuerAltName))
  }
}

function append<K extends string>(into: Partial<Record<K, string[]>>, key: K, value: string): void {
  const values = (into[key] ??= [])
  if (values.length < MAX_ATTRIBUTE_VALUES) values.push(value)
}

function nameFields(name: Name): Partial<Record<DistinguishedNameField, string[]>> {
  const fields: Partial<Record<DistinguishedNameField, string[]>> = {}
  for (const rdn of name)
    for (const attribute of rdn) {
      const field = DISTINGUISHED_NAME_FIELDS[attribute.type as keyof typeof DISTINGUISHED_NAME_FIELDS]
      if (field) append(fields, field, attribute.value.toString())
    }
  return fields
}

/** A directory name the way OpenSSL prints it in a certificate, e.g. `/C=US/O=IoT/CN=LightBulbCert`. */
function directoryNameText(name: Name): string {
  const shortNames: Record<string, string> = { '2.5.4.6': 'C', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.8': 'ST', '2.5.4.7': 'L', '2.5.4.3': 'CN' }
  return name.map((rdn) => rdn.map((a) => `/${shortNames[a.type] ?? a.type}=${a.value.toString()}`).join('')).join('')
}

function alternativeNameFields(names: GeneralName[]): Partial<Record<AlternativeNameField, string[]>> {
  const fields: Partial<Record<AlternativeNameField, string[]>> = {}
  for (const name of names) {
    if (name.rfc822Name !== undefined) append(fields, 'RFC822Name', name.rfc822Name)
    else if (name.dNSName !== undefined) append(fields, 'DNSName', name.dNSName)
    else if (name.directoryName !== undefined) append(fields, 'DirectoryName', directoryNameText(name.directoryName))
    else if (name.uniformResourceIdentifier !== undefined) append(fields, 'UniformResourceIdentifier', name.uniformResourceIdentifier)
    else if (name.iPAddress !== undefined) append(fields, 'IPAddress', name.iPAddress)
  }
  return fields
}
