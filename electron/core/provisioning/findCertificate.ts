import { DescribeCertificateCommand, paginateListCertificates, type Certificate, type IoTClient } from '@aws-sdk/client-iot'
import { certificateMatchesKey, parseCertificate } from '../certificates'

// Clocks differ between this machine and AWS; look a little further back than the intent's time.
const clockSkewMs = 10 * 60 * 1000
const maxPages = 8

/**
 * The certificate AWS made for a CSR whose answer was lost (crash or dropped connection): among the
 * certificates created since the intent, newest first, the one whose public key matches the key.
 */
export async function findCertificateForKey(iot: IoTClient, privateKeyPem: string, since: Date): Promise<string | undefined> {
  return firstCreatedSince(iot, since, (pem) => certificateMatchesKey(pem, privateKeyPem))
}

/**
 * The certificate a RegisterCertificateWithoutCA whose answer was lost registered: among those created
 * since the intent, the one whose DER has this SHA-256. Its id is the service's (moto's differ from AWS's).
 */
export async function findRegisteredCertificate(iot: IoTClient, certificateSha256: string, since: Date): Promise<string | undefined> {
  return firstCreatedSince(iot, since, (pem) => parseCertificate(pem).certificateId === certificateSha256)
}

async function firstCreatedSince(iot: IoTClient, since: Date, matches: (certificatePem: string) => boolean | Promise<boolean>): Promise<string | undefined> {
  for (const certificate of await certificatesCreatedSince(iot, since)) {
    if (!certificate.certificateId) continue
    const described = await iot.send(new DescribeCertificateCommand({ certificateId: certificate.certificateId }))
    const pem = described.certificateDescription?.certificatePem
    if (pem && (await matches(pem))) return certificate.certificateId
  }
  return undefined
}

export async function inactiveCertificatesCreatedSince(iot: IoTClient, since: Date): Promise<string[]> {
  return (await certificatesCreatedSince(iot, since))
    .filter((c) => c.status === 'INACTIVE' && c.certificateId)
    .map((c) => c.certificateId as string)
}

async function certificatesCreatedSince(iot: IoTClient, since: Date): Promise<Certificate[]> {
  const threshold = since.getTime() - clockSkewMs
  const found: Certificate[] = []
  let pagesRead = 0
  // Newest first: the walk stops at the first certificate older than the threshold, or after maxPages.
  for await (const page of paginateListCertificates({ client: iot, pageSize: 250 }, { ascendingOrder: false })) {
    for (const certificate of page.certificates ?? []) {
      const created = certificate.creationDate?.getTime()
      if (created !== undefined && created < threshold) return found
      found.push(certificate)
    }
    if (++pagesRead === maxPages) break
  }
  return found
}
