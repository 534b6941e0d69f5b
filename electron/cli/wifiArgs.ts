import { wifiSettingsSchema, type WifiSettings } from '../contract/serial'
import { UsageError } from './errors'

// --wifi-ssid and its passphrase, for the commands that give a board the bench network over the
// cable (onboard, device write).

export const wifiOptions = { 'wifi-ssid': { type: 'string' } } as const

/** The passphrase comes from the environment, not a flag: a flag would show in the shell history and the process list. */
export const wifiPassphraseVariable = 'THINGBENCH_WIFI_PASSPHRASE'

export function wifiFromFlags(ssid: string | undefined, env: NodeJS.ProcessEnv): WifiSettings | undefined {
  const passphrase = env[wifiPassphraseVariable]
  if (ssid === undefined) {
    if (passphrase !== undefined) throw new UsageError(`${wifiPassphraseVariable} is set but --wifi-ssid is not: give the network's name with --wifi-ssid, or unset ${wifiPassphraseVariable}`)
    return undefined
  }
  const parsed = wifiSettingsSchema.safeParse({ ssid, passphrase: passphrase ?? '' })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new UsageError(issue.path[0] === 'ssid' ? `--wifi-ssid: ${issue.message}` : `${wifiPassphraseVariable}: ${issue.message}`)
  }
  return parsed.data
}
