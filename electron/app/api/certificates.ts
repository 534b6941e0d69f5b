import {
  DescribeCertificateCommand,
  ListAttachedPoliciesCommand,
  ListCertificatesCommand,
  ListPrincipalThingsCommand,
  UpdateCertificateCommand,
  type IoTClient
} from '@aws-sdk/client-iot'
import type { CertificateDetails, Handlers } from '../../contract'
import { parseCertificate } from '../../core/certificates'
import type { Vault } from '../../core/vault'
import type { BackendContext } from './context'
import { allPages, isoDate } from './paging'

export function certificateHandlers(ctx: BackendContext): Pick<Handlers, 'certificates.inspect' | 'certificates.list' | 'certificates.describe' | 'certificates.setStatus'> {
  return {
    'certificates.inspect': async ({ pem }) => {
      const info = parseCertificate(pem, 'The certificate')
      return {
        certificateId: info.certificateId,
        subject: info.subject,
        issuer: info.issuer,
        notBefore: info.notBefore.toISOString(),
        notAfter: info.notAfter.toISOString(),
        fingerprintSha256: info.fingerprintSha256
      }
    },
    'certificates.list': async ({ nextToken, maxResults }) => {
      const iot = await ctx.iot()
      const out = await iot.send(new ListCertificatesCommand({ marker: nextToken, pageSize: maxResults }))
      return {
        certificates: (out.certificates ?? []).map((c) => ({
          certificateId: c.certificateId ?? '',
          certificateArn: c.certificateArn ?? '',
          status: c.status ?? 'UNKNOWN',
          ...(c.creationDate ? { creationDate: c.creationDate.toISOString() } : {})
        })),
        ...(out.nextMarker ? { nextToken: out.nextMarker } : {})
      }
    },
    'certificates.describe': async ({ certificateId }) => describeCertificate(await ctx.iot(), ctx.session.vault, certificateId),
    'certificates.setStatus': async ({ certificateId, status }) => {
      const iot = await ctx.iot()
      await iot.send(new UpdateCertificateCommand({ certificateId, newStatus: status }))
      return describeCertificate(iot, ctx.session.vault, certificateId)
    }
  }
}

async function describeCertificate(iot: IoTClient, vault: Vault, certificateId: string): Promise<CertificateDetails> {
  const out = await iot.send(new DescribeCertificateCommand({ certificateId }))
  const d = out.certificateDescription ?? {}
  const certificateArn = d.certificateArn ?? ''
  const [things, policies, keyInVault] = await Promise.all([
    allPages(async (token) => {
      const page = await iot.send(new ListPrincipalThingsCommand({ principal: certificateArn, nextToken: token, maxResults: 250 }))
      return { items: page.things, next: page.nextToken }
    }),
    allPages(async (token) => {
      const page = await iot.send(new ListAttachedPoliciesCommand({ target: certificateArn, marker: token, pageSize: 250 }))
      return { items: page.policies?.map((p) => p.policyName ?? ''), next: page.nextMarker }
    }),
    vault.has(certificateId)
  ])
  const notBefore = isoDate(d.validity?.notBefore)
  const notAfter = isoDate(d.validity?.notAfter)
  const creationDate = isoDate(d.creationDate)
  return {
    certificateId: d.certificateId ?? certificateId,
    certificateArn,
    status: d.status ?? 'UNKNOWN',
    ...(creationDate ? { creationDate } : {}),
    certificatePem: d.certificatePem ?? '',
    ...(notBefore ? { notBefore } : {}),
    ...(notAfter ? { notAfter } : {}),
    things,
    policies,
    keyInVault
  }
}
