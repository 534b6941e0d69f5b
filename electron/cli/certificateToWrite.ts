import type { AppSession } from '../app/session'
import type { Connection } from '../contract'
import { describeAwsError } from '../core/aws'
import { DeviceWriteError } from '../core/onboarding/jsonLinesProvisioning'
import { thingCertificateKeys } from '../core/vault'

// Which certificate `thingbench device write` gives the board when --certificate is not said: the
// thing's one certificate whose private key this machine's vault holds. With several the choice is
// the user's (the board keeps one identity), so they are listed rather than one picked.

export async function certificateToWrite(session: AppSession, connection: Connection, thingName: string): Promise<string> {
  let found: { certificateIds: string[]; withKeys: string[] }
  try {
    found = await thingCertificateKeys(await session.iotClient(connection), session.vault, thingName)
  } catch (error) {
    const { errorName, message } = describeAwsError(error)
    throw new DeviceWriteError(errorName, `Cannot list the certificates of thing ${thingName}: ${message.replace(/\.$/, '')}. Check the thing's name. Nothing was written to the device.`)
  }
  const { certificateIds: ids, withKeys: inVault } = found
  if (ids.length === 0)
    throw new DeviceWriteError(
      'ThingHasNoCertificate',
      `Thing ${thingName} has no certificate attached, so there is no identity to write: give it one (thingbench provision --thing ${thingName} --add-certificate) or attach its certificate. Nothing was written to the device.`
    )
  if (inVault.length === 0)
    throw new DeviceWriteError(
      'KeyNotInVault',
      `The vault on this machine holds no private key for the certificate${ids.length > 1 ? 's' : ''} of thing ${thingName} (${ids.join(', ')}): its key was made elsewhere and stays there, so there is nothing to write. Give the thing a key made here with thingbench provision --thing ${thingName} --add-certificate. Nothing was written to the device.`
    )
  if (inVault.length > 1)
    throw new DeviceWriteError(
      'SeveralCertificates',
      `Thing ${thingName} has ${inVault.length} certificates whose private key the vault holds (${inVault.join(', ')}): say which one the board gets with --certificate ID. Nothing was written to the device.`
    )
  return inVault[0]!
}
