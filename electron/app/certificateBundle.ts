import { readFile } from 'node:fs/promises'
import type { Connection } from '../contract'
import { writeCertificateBundle } from '../core/certificates'
import type { AppSession } from './session'

/** The Local IoT Core's CA as a bundle file: devices connecting to it trust it, not Amazon's. */
const localCaFileName = 'LocalIoTCoreRootCA.pem'

/**
 * Writes the AWS console's bundle for a certificate into `folder` (see writeCertificateBundle): the
 * private key goes from the vault straight to its owner-only file when the vault holds it, and the
 * Local IoT Core's CA is added when the connection is the Local IoT Core. Returns the written paths.
 */
export async function exportCertificateBundle(
  session: AppSession,
  connection: Connection,
  folder: string,
  certificate: { certificateId: string; certificatePem: string }
): Promise<string[]> {
  const privateKeyPem = (await session.vault.get(certificate.certificateId)) ?? undefined
  const extraCaFiles =
    connection.kind === 'local' ? [{ fileName: localCaFileName, pem: await readFile((await session.localIotCore()).caCertificatePath, 'utf8') }] : []
  const { certificateId, certificatePem } = certificate
  return writeCertificateBundle(folder, { certificateId, certificatePem, privateKeyPem, extraCaFiles })
}
