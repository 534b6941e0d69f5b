import { DescribeCertificateCommand, ListCertificatesCommand, type Certificate, type IoTClient } from '@aws-sdk/client-iot'
import { certificateMatchesKey } from '../certificates'

// Clocks differ between this machine and AWS; look a little further back than the intent's time.
const clockSkewMs = 10 * 60 * 1000
const maxPages = 8

/**
 * The certificate AWS made for a CSR whose answer was lost (crash or dropped connection): among the
 * certificates created since the intent, newest first, the one whose public key matches the key.
 */
export async function findCertificateForKey(iot: IoTClient, privateKeyPem: string, since: Date): Promise<string | undefined> {
  for (const certificate of await certificatesCreatedSince(iot, since)) {
    if (!certificate.certificateId) continue
    const described = await iot.send(new DescribeCertificateCommand({ certificateId: certificate.certificateId }))
    const pem = described.certificateDescription?.certificatePem
    if (pem && (await certificateMatchesKey(pem, privateKeyPem))) return certificate.certificateId
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
  let marker: string | undefined
  for (let page = 0; page < maxPages; page++) {
    const out = await iot.send(new ListCertificatesCommand({ ascendingOrder: false, pageSize: 250, marker }))
    for (const certificate of out.certificates ?? []) {
      const created = certificate.creationDate?.getTime()
      if (created !== undefined && created < threshold) return found
      found.push(certificate)
    }
    marker = out.nextMarker
    if (!marker) break
  }
  return found
}
