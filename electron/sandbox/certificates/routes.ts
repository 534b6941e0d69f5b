import { randomUUID } from 'node:crypto'
import { certificateIdOf, type LocalCa } from '../ca/localCa'
import { derToPem } from '../ca/pem'
import * as x509 from '../ca/x509'
import type { SandboxContext } from '../context'
import { IotError, alreadyExists, certificateState, deleteConflict, invalidRequest, notFound } from '../http/iotError'
import { assertEnum, bodyObject, bodyString, epochSeconds, queryBoolean } from '../http/input'
import { MARKER_PAGING, pageRequestOf, paginate } from '../http/paging'
import type { Route, SandboxRequest } from '../http/route'
import { assertValid, rules } from '../http/validate'
import type { CertificateRecord, CertificateStatus, PolicyTargetRecord, ThingPrincipalRecord } from '../state/records'
import type { Change } from '../state/store'
import { csrSignatureMatches, parseCsr, unsupportedSignatureAlgorithmReason, type ParsedCsr } from './csr'
import { generateDeviceKeyPair, readDevicePublicKey, unsupportedKeyReason } from './deviceKeys'

// Certificates (research/iot-core.md §4.5): made by the sandbox CA from a CSR or with a key pair the
// sandbox generates, or registered as the caller's own; id = SHA-256 of the DER; status rules of AWS.

const ALL_STATUSES: readonly CertificateStatus[] = [
  'ACTIVE',
  'INACTIVE',
  'REVOKED',
  'PENDING_TRANSFER',
  'REGISTER_INACTIVE',
  'PENDING_ACTIVATION'
]

const certificateValidation = (message: string): IotError => new IotError('CertificateValidationException', 400, message)

/** The certificate an id names, or ResourceNotFoundException. */
export function getCertificate(ctx: SandboxContext, certificateId: string): CertificateRecord {
  const record = ctx.store.get<CertificateRecord>('certificates', certificateId.toLowerCase().replace(/^0x/, ''))
  if (!record) throw notFound(`The certificate ${certificateId} does not exist.`)
  return record
}

/** The certificate a `cert/<id>` ARN of this account and region names, or undefined for another kind of ARN. */
export function certificateIdFromArn(ctx: SandboxContext, arn: string): string | undefined {
  const prefix = ctx.arn('cert/')
  return arn.startsWith(prefix) ? arn.slice(prefix.length) : undefined
}

/** Creation time, then id for certificates made in the same millisecond: a unique key in creation order. */
const creationOrderKey = (record: CertificateRecord): string => `${String(record.creationDate).padStart(16, '0')}/${record.certificateId}`

/** Told after UpdateCertificate changed a status (the device gateway closes connections of a certificate no longer ACTIVE). */
export type CertificateStatusListener = (certificateId: string, status: CertificateStatus) => void

export function certificateRoutes(ctx: SandboxContext, ca: LocalCa, onStatusChanged: CertificateStatusListener = () => {}): Route[] {
  const newRecord = (certificatePem: string, certificateId: string, status: CertificateStatus, fields: Partial<CertificateRecord>): CertificateRecord => {
    const now = ctx.now()
    return {
      certificateId,
      certificateArn: ctx.arn(`cert/${certificateId}`),
      certificatePem,
      status,
      certificateMode: 'DEFAULT',
      notBefore: now,
      notAfter: now,
      creationDate: now,
      lastModifiedDate: now,
      generationId: randomUUID(),
      ...fields
    }
  }

  const save = (record: CertificateRecord): void =>
    ctx.store.commit([{ op: 'put', collection: 'certificates', key: record.certificateId, value: record }])

  const pathCertificateId = (req: SandboxRequest): string => {
    const certificateId = req.params['certificateId']!
    assertValid([[certificateId, 'certificateId', rules.certificateId]])
    return certificateId
  }

  return [
    {
      operation: 'CreateKeysAndCertificate',
      method: 'POST',
      pattern: '/keys-and-certificate',
      async handler(req) {
        const active = queryBoolean(req, 'setAsActive') ?? false
        const keys = await generateDeviceKeyPair()
        const issued = await ca.issue(keys.publicKeyDer, ctx.now())
        const record = newRecord(issued.certificatePem, issued.certificateId, active ? 'ACTIVE' : 'INACTIVE', {
          caCertificateId: ca.certificateId,
          notBefore: issued.notBefore,
          notAfter: issued.notAfter
        })
        save(record)
        // The private key is returned once and never kept, as AWS does.
        return {
          body: {
            certificateArn: record.certificateArn,
            certificateId: record.certificateId,
            certificatePem: record.certificatePem,
            keyPair: { PublicKey: keys.publicKeyPem, PrivateKey: keys.privateKeyPem }
          }
        }
      }
    },
    {
      operation: 'CreateCertificateFromCsr',
      method: 'POST',
      pattern: '/certificates',
      async handler(req) {
        const csrPem = bodyString(bodyObject(req), 'certificateSigningRequest', true)
        assertValid([[csrPem, 'certificateSigningRequest', rules.certificateSigningRequest]])
        const active = queryBoolean(req, 'setAsActive') ?? false
        let csr: ParsedCsr
        try {
          csr = parseCsr(csrPem)
        } catch (error) {
          throw invalidRequest(
            `The certificate signing request is not a valid PKCS#10 CSR (${(error as Error).message}). Send it PEM-encoded, starting with -----BEGIN CERTIFICATE REQUEST-----.`
          )
        }
        const publicKey = readDevicePublicKey(csr.subjectPublicKeyInfo)
        if (!publicKey.key) throw invalidRequest(`The certificate signing request is not supported: ${publicKey.reason}.`)
        const algorithmReason = unsupportedSignatureAlgorithmReason(csr)
        if (algorithmReason) throw invalidRequest(`The certificate signing request is not supported: ${algorithmReason}.`)
        if (!csrSignatureMatches(csr, publicKey.key))
          throw invalidRequest('The certificate signing request is not valid: its signature does not match its public key.')
        const issued = await ca.issue(csr.publicKeyInfo, ctx.now())
        const record = newRecord(issued.certificatePem, issued.certificateId, active ? 'ACTIVE' : 'INACTIVE', {
          caCertificateId: ca.certificateId,
          notBefore: issued.notBefore,
          notAfter: issued.notAfter
        })
        save(record)
        return { body: { certificateArn: record.certificateArn, certificateId: record.certificateId, certificatePem: record.certificatePem } }
      }
    },
    {
      operation: 'RegisterCertificateWithoutCA',
      method: 'POST',
      pattern: '/certificate/register-no-ca',
      handler(req) {
        const body = bodyObject(req)
        const pem = bodyString(body, 'certificatePem', true)
        assertValid([[pem, 'certificatePem', rules.certificatePem]])
        const status = assertEnum(bodyString(body, 'status') ?? 'INACTIVE', 'status', ALL_STATUSES)
        if (status !== 'ACTIVE' && status !== 'INACTIVE' && status !== 'REVOKED')
          throw invalidRequest(`A certificate can be registered as ACTIVE, INACTIVE or REVOKED, not ${status}.`)
        let certificate: x509.X509Certificate
        try {
          certificate = new x509.X509Certificate(pem)
        } catch (error) {
          throw certificateValidation(
            `The certificate is not a valid X.509 certificate (${(error as Error).message}). Send it PEM-encoded, starting with -----BEGIN CERTIFICATE-----.`
          )
        }
        const reason = unsupportedKeyReason(Buffer.from(certificate.publicKey.rawData))
        if (reason) throw certificateValidation(`The certificate is not supported: ${reason}.`)
        if (certificate.notAfter.getTime() < ctx.now())
          throw certificateValidation(`The certificate expired on ${certificate.notAfter.toISOString()}.`)
        const certificateId = certificateIdOf(certificate.rawData)
        const existing = ctx.store.get<CertificateRecord>('certificates', certificateId)
        if (existing)
          throw alreadyExists(
            `The certificate is already registered: its id is ${certificateId}.`,
            certificateId,
            existing.certificateArn
          )
        const record = newRecord(derToPem(new Uint8Array(certificate.rawData), 'CERTIFICATE'), certificateId, status, {
          certificateMode: 'SNI_ONLY',
          notBefore: certificate.notBefore.getTime(),
          notAfter: certificate.notAfter.getTime()
        })
        save(record)
        return { body: { certificateArn: record.certificateArn, certificateId: record.certificateId } }
      }
    },
    {
      operation: 'DescribeCertificate',
      method: 'GET',
      pattern: '/certificates/{certificateId}',
      handler(req) {
        const record = getCertificate(ctx, pathCertificateId(req))
        return {
          body: {
            certificateDescription: {
              certificateArn: record.certificateArn,
              certificateId: record.certificateId,
              caCertificateId: record.caCertificateId,
              status: record.status,
              certificatePem: record.certificatePem,
              ownedBy: ctx.accountId,
              creationDate: epochSeconds(record.creationDate),
              lastModifiedDate: epochSeconds(record.lastModifiedDate),
              customerVersion: 1,
              transferData: {},
              generationId: record.generationId,
              validity: { notBefore: epochSeconds(record.notBefore), notAfter: epochSeconds(record.notAfter) },
              certificateMode: record.certificateMode
            }
          }
        }
      }
    },
    {
      operation: 'ListCertificates',
      method: 'GET',
      pattern: '/certificates',
      handler(req) {
        const pageRequest = pageRequestOf(req, MARKER_PAGING)
        const ascending = queryBoolean(req, 'isAscendingOrder') ?? false
        const page = paginate(ctx.store.list<CertificateRecord>('certificates'), creationOrderKey, pageRequest, ascending ? 'ascending' : 'descending')
        return {
          body: {
            certificates: page.items.map((record) => ({
              certificateArn: record.certificateArn,
              certificateId: record.certificateId,
              status: record.status,
              certificateMode: record.certificateMode,
              creationDate: epochSeconds(record.creationDate)
            })),
            nextMarker: page.next
          }
        }
      }
    },
    {
      operation: 'UpdateCertificate',
      method: 'PUT',
      pattern: '/certificates/{certificateId}',
      handler(req) {
        const certificateId = pathCertificateId(req)
        const newStatusText = req.query.get('newStatus')
        if (newStatusText === null)
          throw invalidRequest("1 validation error detected: Value null at 'newStatus' failed to satisfy constraint: Member must not be null")
        const newStatus = assertEnum(newStatusText, 'newStatus', ALL_STATUSES)
        const record = getCertificate(ctx, certificateId)
        if (newStatus === 'PENDING_TRANSFER' || newStatus === 'PENDING_ACTIVATION' || newStatus === 'REGISTER_INACTIVE')
          throw invalidRequest(
            `The status of a certificate cannot be set to ${newStatus} with UpdateCertificate; use ACTIVE, INACTIVE or REVOKED.`
          )
        if (record.status === newStatus) return {}
        if (record.status === 'REVOKED')
          throw certificateState(`Certificate ${record.certificateId} is REVOKED; a revoked certificate cannot be made ${newStatus}. Create or register a new certificate.`)
        if (record.status === 'PENDING_TRANSFER')
          throw certificateState(`Certificate ${record.certificateId} is being transferred (PENDING_TRANSFER); cancel or finish the transfer first.`)
        save({ ...record, status: newStatus, lastModifiedDate: ctx.now(), generationId: randomUUID() })
        onStatusChanged(record.certificateId, newStatus)
        return {}
      }
    },
    {
      operation: 'DeleteCertificate',
      method: 'DELETE',
      pattern: '/certificates/{certificateId}',
      handler(req) {
        const certificateId = pathCertificateId(req)
        const forceDelete = queryBoolean(req, 'forceDelete') ?? false
        const record = getCertificate(ctx, certificateId)
        if (record.status === 'ACTIVE')
          throw certificateState(`Certificate must be deactivated (not ACTIVE) before deletion. Id: ${record.certificateId}`)
        if (record.status === 'PENDING_TRANSFER')
          throw certificateState(`Certificate ${record.certificateId} is being transferred (PENDING_TRANSFER) and cannot be deleted.`)
        const things = ctx.store.filter<ThingPrincipalRecord>('thingPrincipals', (p) => p.principal === record.certificateArn)
        if (things.length > 0) throw deleteConflict(`Things must be detached before deletion (arn: ${record.certificateArn})`)
        const policies = ctx.store.filter<PolicyTargetRecord>('policyTargets', (t) => t.target === record.certificateArn)
        if (policies.length > 0 && !forceDelete)
          throw deleteConflict(
            `Certificate policies must be detached before deletion (arn: ${record.certificateArn}); detach them or pass forceDelete.`
          )
        const changes: Change[] = policies.map((t) => ({
          op: 'delete',
          collection: 'policyTargets',
          key: `${t.policyName}\u0000${t.target}`
        }))
        changes.push({ op: 'delete', collection: 'certificates', key: record.certificateId })
        ctx.store.commit(changes)
        return {}
      }
    }
  ]
}
