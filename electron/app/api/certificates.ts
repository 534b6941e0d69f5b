import {
  DescribeCertificateCommand,
  ListCertificatesCommand,
  paginateListAttachedPolicies,
  paginateListPrincipalThings,
  UpdateCertificateCommand,
  type IoTClient
} from '@aws-sdk/client-iot'
import pLimit from 'p-limit'
import type { CertificateDetails, CertificateView, Handlers } from '../../contract'
import { allItems } from '../../core/aws'
import { parseCertificate } from '../../core/certificates'
import type { Vault } from '../../core/vault'
import type { BackendContext } from './context'
import { isoDate } from './isoDate'

export function certificateHandlers(ctx: BackendContext): Pick<
  Handlers,
  'certificates.inspect' | 'certificates.list' | 'certificates.describe' | 'certificates.setStatus' | 'certificates.things'
> {
  return {
    'certificates.inspect': async ({ pem }) => certificateView(pem),
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
    },
    'certificates.things': async ({ certificateArns }) => {
      const iot = await ctx.iot()
      const thingsOf = (principal: string) => allItems(paginateListPrincipalThings({ client: iot, pageSize: 250 }, { principal }), (page) => page.things)
      const answers = await pLimit(principalThingsConcurrency).map(certificateArns, async (arn) => [arn, await thingsOf(arn)] as const)
      return Object.fromEntries(answers)
    }
  }
}

/** ListPrincipalThings calls in flight: AWS allows 10 per second, and the SDK retries a throttled one. */
const principalThingsConcurrency = 4

/** What the UI shows of a PEM certificate (the first one of a chain). */
export function certificateView(pem: string): CertificateView {
  const info = parseCertificate(pem, 'The certificate')
  return {
    certificateId: info.certificateId,
    subject: info.subject,
    issuer: info.issuer,
    notBefore: info.notBefore.toISOString(),
    notAfter: info.notAfter.toISOString(),
    fingerprintSha256: info.fingerprintSha256
  }
}

async function describeCertificate(iot: IoTClient, vault: Vault, certificateId: string): Promise<CertificateDetails> {
  const out = await iot.send(new DescribeCertificateCommand({ certificateId }))
  const d = out.certificateDescription ?? {}
  const certificateArn = d.certificateArn ?? ''
  const [things, policies, keyInVault] = await Promise.all([
    allItems(paginateListPrincipalThings({ client: iot, pageSize: 250 }, { principal: certificateArn }), (page) => page.things),
    allItems(paginateListAttachedPolicies({ client: iot, pageSize: 250 }, { target: certificateArn }), (page) => page.policies?.map((p) => p.policyName ?? '')),
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
