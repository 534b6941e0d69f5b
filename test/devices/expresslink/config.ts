import { X509Certificate } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

// The configuration dictionary (research §8): persistent keys saved to config.json in the state
// folder, non-persistent ones (topics, QoS, shadows) lost at RESET. Access rules and the error
// codes of §7.2 are the spec's; an AtError carries the code the module answers with.

export class AtError extends Error {
  constructor(readonly code: number, text: string, detail?: string) {
    super(`ERR${code} ${text}${detail ? ` ${detail}` : ''}`)
  }
}

export const STAGING_ENDPOINT = 'staging.expresslink.thingbench.invalid'
export const MAX_TOPIC = 16
export const MAX_SHADOW = 4

type Access = 'R' | 'RW' | 'W'
interface KeySpec {
  access: Access
  size: number
  persistent: boolean
  /** Restored by FACTORY_RESET. */
  factory: boolean
  initial: string
  certificate?: boolean
}

export interface FixedValues {
  about: string
  version: string
  techSpec: string
  thingName: string
  certificatePem: string
}

function keySpecs(fixed: FixedValues): Record<string, KeySpec> {
  const specs: Record<string, KeySpec> = {
    About: { access: 'R', size: 64, persistent: true, factory: false, initial: fixed.about },
    Version: { access: 'R', size: 32, persistent: true, factory: false, initial: fixed.version },
    TechSpec: { access: 'R', size: 16, persistent: true, factory: false, initial: fixed.techSpec },
    ThingName: { access: 'R', size: 64, persistent: true, factory: false, initial: fixed.thingName },
    Certificate: { access: 'R', size: 4096, persistent: true, factory: false, initial: fixed.certificatePem, certificate: true },
    CustomName: { access: 'RW', size: 128, persistent: true, factory: true, initial: '' },
    Endpoint: { access: 'RW', size: 128, persistent: true, factory: true, initial: STAGING_ENDPOINT },
    // Empty = the public roots Node trusts (Amazon's among them), as a module ships with AWS's root CA.
    RootCA: { access: 'RW', size: 8192, persistent: true, factory: false, initial: '', certificate: true },
    ShadowToken: { access: 'RW', size: 64, persistent: true, factory: true, initial: 'ExpressLink' },
    DefenderPeriod: { access: 'RW', size: 8, persistent: true, factory: true, initial: '0' },
    HOTAcertificate: { access: 'RW', size: 4096, persistent: true, factory: true, initial: '', certificate: true },
    OTAcertificate: { access: 'W', size: 4096, persistent: true, factory: false, initial: '', certificate: true },
    SSID: { access: 'RW', size: 32, persistent: true, factory: true, initial: '' },
    Passphrase: { access: 'W', size: 64, persistent: true, factory: true, initial: '' },
    APN: { access: 'RW', size: 128, persistent: true, factory: true, initial: '' },
    KeepAlive: { access: 'RW', size: 8, persistent: true, factory: false, initial: '60' },
    LWTConfig: { access: 'RW', size: 128, persistent: true, factory: false, initial: '' },
    LWTMessage: { access: 'RW', size: 128, persistent: true, factory: false, initial: '' },
    QoS: { access: 'RW', size: 1, persistent: false, factory: false, initial: '0' },
    EnableShadow: { access: 'RW', size: 1, persistent: false, factory: false, initial: '0' }
  }
  for (let i = 1; i <= MAX_TOPIC; i++) specs[`Topic${i}`] = { access: 'RW', size: 128, persistent: false, factory: false, initial: '' }
  for (let i = 1; i <= MAX_SHADOW; i++) specs[`Shadow${i}`] = { access: 'RW', size: 64, persistent: false, factory: false, initial: '' }
  return specs
}

const configFile = (stateDir: string): string => join(stateDir, 'config.json')

/** The Wi-Fi a test bench gives its modules. */
export const benchWifi = { SSID: 'bench-wifi', Passphrase: 'bench-passphrase' } as const

/** Saves `values` as a module's persistent configuration before it powers up: what a technician set earlier (its Wi-Fi, say). */
export function presetConfig(stateDir: string, values: Record<string, string>): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })
  writeFileSync(configFile(stateDir), JSON.stringify(values), { mode: 0o600 })
}

export class ConfigStore {
  private readonly specs: Record<string, KeySpec>
  private values: Record<string, string> = {}

  constructor(fixed: FixedValues, private readonly dir: string) {
    this.specs = keySpecs(fixed)
    const saved = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>) : {}
    for (const [key, spec] of Object.entries(this.specs)) this.values[key] = spec.persistent && spec.access !== 'R' && key in saved ? saved[key] : spec.initial
  }

  private get file(): string {
    return configFile(this.dir)
  }

  /** Key rules (§7.2): ERR9 over 16 characters, ERR10 not alphanumeric, ERR11 not in the dictionary. */
  private spec(key: string): KeySpec {
    if (key.length > 16) throw new AtError(9, 'INVALID KEY LENGTH')
    if (!/^[A-Za-z0-9]+$/.test(key)) throw new AtError(10, 'INVALID KEY NAME')
    const spec = this.specs[key]
    if (!spec) throw new AtError(11, 'UNKNOWN KEY')
    return spec
  }

  isCertificateKey(key: string): boolean {
    return this.spec(key).certificate === true
  }

  read(key: string): string {
    if (this.spec(key).access === 'W') throw new AtError(13, 'KEY WRITEONLY')
    return this.values[key]
  }

  /** The value for the module's own use (write-only keys included). */
  get(key: string): string {
    return this.values[key]
  }

  write(key: string, value: string): void {
    const spec = this.spec(key)
    if (spec.access === 'R') throw new AtError(12, 'KEY READONLY')
    if (Buffer.byteLength(value) > spec.size) throw new AtError(4, 'PARAMETER ERROR', `value longer than ${spec.size} bytes`)
    if (spec.certificate && value !== '') {
      try {
        new X509Certificate(value)
      } catch {
        throw new AtError(26, 'INVALID CERTIFICATE')
      }
    }
    if ((key === 'QoS' && !/^[01]$/.test(value)) || (key === 'EnableShadow' && !/^[01]$/.test(value))) throw new AtError(4, 'PARAMETER ERROR', 'expected 0 or 1')
    this.values[key] = value
    if (spec.persistent) this.save()
  }

  /** RESET: non-persistent keys back to their defaults. */
  resetVolatile(): void {
    for (const [key, spec] of Object.entries(this.specs)) if (!spec.persistent) this.values[key] = spec.initial
  }

  /** FACTORY_RESET: also the persistent keys the spec marks as factory-reset. */
  factoryReset(): void {
    this.resetVolatile()
    for (const [key, spec] of Object.entries(this.specs)) if (spec.factory) this.values[key] = spec.initial
    this.save()
  }

  private save(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    const persistent = Object.fromEntries(Object.entries(this.specs).filter(([, s]) => s.persistent && s.access !== 'R').map(([k]) => [k, this.values[k]]))
    writeFileSync(this.file, JSON.stringify(persistent, null, 2), { mode: 0o600 })
  }
}
