import { randomBytes, webcrypto } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { x509 } from '../../../electron/core/certificates/x509'

// The simulated module's hardware root of trust (research §12.1, §13.4): a 128-bit UID as its
// ThingName, an EC P-256 key and a self-signed "birth certificate" whose serial number carries the
// UID, made on first start. A real module keeps the key in a secure element; this test device keeps
// it in its state folder, owner-only — it is a simulator's key, never one from a user's vault.

export interface ModuleIdentity {
  thingName: string
  certificatePem: string
  privateKeyPem: string
}

const files = { identity: 'identity.json', certificate: 'certificate.pem', privateKey: 'private.key' } as const

async function generate(): Promise<ModuleIdentity> {
  const thingName = randomBytes(16).toString('hex')
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' }
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair
  const now = Date.now()
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${thingName}`,
    name: `CN=${thingName}, O=ThingBench simulated ExpressLink`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 10 * 365 * 24 * 3600_000),
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' }
  })
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)
  return { thingName, certificatePem: `${certificate.toString('pem')}\n`, privateKeyPem: `${x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')}\n` }
}

/** The identity in `dir`, made there on first start. */
export async function loadOrCreateIdentity(dir: string): Promise<ModuleIdentity> {
  const at = (name: string): string => join(dir, name)
  if (existsSync(at(files.identity)) && existsSync(at(files.certificate)) && existsSync(at(files.privateKey))) {
    const { thingName } = JSON.parse(readFileSync(at(files.identity), 'utf8')) as { thingName: string }
    return { thingName, certificatePem: readFileSync(at(files.certificate), 'utf8'), privateKeyPem: readFileSync(at(files.privateKey), 'utf8') }
  }
  const identity = await generate()
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  writeFileSync(at(files.privateKey), identity.privateKeyPem, { mode: 0o600 })
  chmodSync(at(files.privateKey), 0o600)
  writeFileSync(at(files.certificate), identity.certificatePem)
  writeFileSync(at(files.identity), JSON.stringify({ thingName: identity.thingName }, null, 2))
  return identity
}
