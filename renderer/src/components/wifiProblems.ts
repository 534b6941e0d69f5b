import { firstProblem } from '@contract/awsRules'
import { wifiSettingsSchema } from '@contract/serial'

/** What is wrong with a Wi-Fi network typed for a board (the back end's own rules), or null; no SSID means none is given. */
export function wifiProblems(ssid: string, passphrase: string): { ssid: string | null; passphrase: string | null } {
  const name = ssid.trim()
  if (!name) return { ssid: null, passphrase: null }
  return {
    ssid: firstProblem(wifiSettingsSchema.shape.ssid, name),
    passphrase: passphrase ? firstProblem(wifiSettingsSchema.shape.passphrase, passphrase) : null
  }
}
