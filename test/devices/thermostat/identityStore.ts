import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

// The thermostat's flash: where a provisioned identity lives across restarts. A real device keeps
// its key in flash or a secure element; this simulator keeps it in its state folder, owner-only.
// It is a test device's identity, never one from a user's vault.

export interface StoredIdentity {
  endpoint: string
  thingName: string
  certificate: string
  privateKey: string
  rootCa?: string
  /** The network it joins (a real board's Wi-Fi; this simulator keeps it, its MQTT goes over the host's). */
  wifiSsid?: string
  wifiPassphrase?: string
}

const files = { certificate: 'certificate.pem', privateKey: 'private.key', rootCa: 'root-ca.pem', wifiPassphrase: 'wifi-passphrase' } as const

export class IdentityStore {
  private staging: Partial<StoredIdentity> = {}

  constructor(private readonly dir: string | undefined) {}

  stage(item: keyof StoredIdentity, value: string): void {
    this.staging[item] = value
  }

  staged(): Partial<StoredIdentity> {
    return { ...this.staging }
  }

  save(identity: StoredIdentity): void {
    this.staging = {}
    if (!this.dir) return
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    writeFileSync(join(this.dir, 'identity.json'), JSON.stringify({ endpoint: identity.endpoint, thingName: identity.thingName, ...(identity.wifiSsid ? { wifiSsid: identity.wifiSsid } : {}) }, null, 2))
    writeFileSync(join(this.dir, files.certificate), identity.certificate)
    writeFileSync(join(this.dir, files.privateKey), identity.privateKey, { mode: 0o600 })
    chmodSync(join(this.dir, files.privateKey), 0o600)
    if (identity.rootCa) writeFileSync(join(this.dir, files.rootCa), identity.rootCa)
    if (identity.wifiPassphrase) writeFileSync(join(this.dir, files.wifiPassphrase), identity.wifiPassphrase, { mode: 0o600 })
  }

  load(): StoredIdentity | undefined {
    if (!this.dir || !existsSync(join(this.dir, 'identity.json'))) return undefined
    const { endpoint, thingName, wifiSsid } = JSON.parse(readFileSync(join(this.dir, 'identity.json'), 'utf8')) as { endpoint: string; thingName: string; wifiSsid?: string }
    const read = (name: string): string | undefined => (existsSync(join(this.dir!, name)) ? readFileSync(join(this.dir!, name), 'utf8') : undefined)
    const certificate = read(files.certificate)
    const privateKey = read(files.privateKey)
    if (!certificate || !privateKey) return undefined
    const rootCa = read(files.rootCa)
    const wifiPassphrase = read(files.wifiPassphrase)
    return { endpoint, thingName, certificate, privateKey, ...(rootCa ? { rootCa } : {}), ...(wifiSsid ? { wifiSsid } : {}), ...(wifiPassphrase ? { wifiPassphrase } : {}) }
  }
}
