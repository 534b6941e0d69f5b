import { DescribeCertificateCommand, type IoTClient } from '@aws-sdk/client-iot'
import { describeAwsError } from '../aws'
import { normalizePrivateKey } from '../certificates'
import { thingCertificateKeys, type Vault } from '../vault'

/** What a thing connects with: its certificate from AWS and its private key from the vault. Kept in memory only. */
export interface DeviceCredentials {
  thingName: string
  certificateId: string
  certificateArn: string
  certificatePem: string
  /** SEC1 (EC) or PKCS#1 (RSA): the encodings aws-crt takes on every OS. */
  privateKeyPem: string
}

export class DeviceCredentialsError extends Error {
  override name = 'DeviceCredentialsError'
}

/**
 * The certificate a thing connects with: the one given, else among the certificates attached to the
 * thing (ListThingPrincipals) those whose key the vault holds, an ACTIVE one first.
 */
export async function loadDeviceCredentials(iot: IoTClient, vault: Vault, thingName: string, certificateId?: string): Promise<DeviceCredentials> {
  const candidates = certificateId ? [certificateId] : await certificatesWithKeys(iot, vault, thingName)
  const described = await Promise.all(candidates.map((id) => describeCertificate(iot, id)))
  const chosen = described.find((c) => c.status === 'ACTIVE') ?? described[0]
  if (!chosen) throw new DeviceCredentialsError(`No certificate to connect as thing ${thingName}`)
  const keyPem = await vault.get(chosen.certificateId)
  if (keyPem === null)
    throw new DeviceCredentialsError(
      `The vault holds no private key for certificate ${chosen.certificateId}, so ThingBench cannot connect as thing ${thingName}: provision the thing with ThingBench, or keep its key in the vault when registering its certificate`
    )
  return { thingName, certificateId: chosen.certificateId, certificateArn: chosen.certificateArn, certificatePem: chosen.certificatePem, privateKeyPem: normalizePrivateKey(keyPem) }
}

async function certificatesWithKeys(iot: IoTClient, vault: Vault, thingName: string): Promise<string[]> {
  let found: { certificateIds: string[]; withKeys: string[] }
  try {
    found = await thingCertificateKeys(iot, vault, thingName)
  } catch (error) {
    const { errorName, message } = describeAwsError(error)
    throw new DeviceCredentialsError(`Cannot find the certificates of thing ${thingName}: ${errorName}: ${message}`)
  }
  const { certificateIds, withKeys } = found
  if (certificateIds.length === 0)
    throw new DeviceCredentialsError(`Thing ${thingName} has no certificate attached, so it cannot connect: provision it, or attach its certificate (AttachThingPrincipal)`)
  if (withKeys.length === 0)
    throw new DeviceCredentialsError(
      `The vault holds no private key for the certificate${certificateIds.length > 1 ? 's' : ''} of thing ${thingName} (${certificateIds.join(', ')}): its key lives on the device only. Provision it with ThingBench to connect as it from here`
    )
  return withKeys
}

async function describeCertificate(iot: IoTClient, certificateId: string): Promise<{ certificateId: string; certificateArn: string; certificatePem: string; status: string }> {
  try {
    const { certificateDescription: d } = await iot.send(new DescribeCertificateCommand({ certificateId }))
    if (!d?.certificateArn || !d.certificatePem) throw new Error('DescribeCertificate answered without the certificate')
    return { certificateId, certificateArn: d.certificateArn, certificatePem: d.certificatePem, status: d.status ?? 'UNKNOWN' }
  } catch (error) {
    if (error instanceof DeviceCredentialsError) throw error
    const { errorName, message } = describeAwsError(error)
    throw new DeviceCredentialsError(`Cannot read certificate ${certificateId}: ${errorName}: ${message}`)
  }
}
