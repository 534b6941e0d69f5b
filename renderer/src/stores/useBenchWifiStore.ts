import { defineStore } from 'pinia'
import { reactive } from 'vue'

// The passphrases of the bench's Wi-Fi networks, as given to boards over the cable (an ExpressLink
// module's Passphrase, a JSON-lines board's wifiPassphrase): typed once, used for board after
// board, in this window's memory only — never on disk. Which network the last board got is each
// flow's own remembered choice (its SSID).

export const useBenchWifiStore = defineStore('benchWifi', () => {
  const passphrases = reactive(new Map<string, string>())

  /** A board was given this network: the next ones can be given it without asking again. */
  function remember(network: { ssid: string; passphrase: string }): void {
    passphrases.set(network.ssid, network.passphrase)
  }

  /** The passphrase typed for `ssid` in this window ('' for an open network), or null: it must be asked for. */
  function passphraseFor(ssid: string): string | null {
    return passphrases.get(ssid) ?? null
  }

  return { remember, passphraseFor }
})
