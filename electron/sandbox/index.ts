import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { attachmentRoutes } from './attachments/routes'
import { LocalCa } from './ca/localCa'
import { certificateRoutes } from './certificates/routes'
import type { SandboxContext } from './context'
import { acquireDataDirLock } from './dataDirLock'
import { endpointRoutes } from './endpoint/routes'
import { startControlPlaneServer } from './http/server'
import { ACCEPTED_SIGNING_NAMES } from './http/sigv4'
import { loadOrCreateIdentity } from './identity'
import { authorizationRoutes } from './policies/authorizationRoutes'
import { policyRoutes } from './policies/routes'
import { registryRoutes } from './registry'
import type { SecretProtector } from './secretProtector'
import { silentLog, type Log } from '../shared/log'
import { FileStore } from './state/fileStore'

// The Local IoT Core: AWS IoT's control plane on loopback, with its state, identity and CA kept in
// one data directory that only one sandbox at a time may use.

export type { SecretProtector } from './secretProtector'
export { DataDirectoryInUseError } from './dataDirLock'
export { StoreCorruptError } from './state/fileStore'
export { controlPlaneRates, rateFor, DEFAULT_RATE_PER_SECOND } from './http/rates'

export interface LocalIotCoreOptions {
  dataDir: string
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0: any free port. */
  port?: number
  /** Default us-east-1. */
  region?: string
  /** Refuse calls beyond AWS's default rates with ThrottlingException (default off). */
  throttling?: boolean
  /** Seals the CA private key and the secret access key before they reach the disk. */
  secretProtector: SecretProtector
  /** Epoch milliseconds for resource timestamps; SigV4 and throttling always use the real clock. */
  now?: () => number
  /** Where failures that are not AWS errors (InternalFailureException) are logged with their stack. */
  log?: Log
}

export interface LocalIotCoreInfo {
  /** e.g. `http://127.0.0.1:41234`: pass as `endpoint` to IoTClient or `--endpoint-url` to the AWS CLI. */
  controlPlaneUrl: string
  region: string
  accountId: string
  accessKeyId: string
  secretAccessKey: string
  /** PEM of the sandbox's root CA, `<dataDir>/ca/LocalIoTCoreRootCA.pem`. */
  caCertificatePath: string
  dataDir: string
}

export interface LocalIotCore extends LocalIotCoreInfo {
  close(): Promise<void>
}

export async function startLocalIotCore(options: LocalIotCoreOptions): Promise<LocalIotCore> {
  const dataDir = path.resolve(options.dataDir)
  const region = options.region ?? 'us-east-1'
  const now = options.now ?? Date.now
  const log = options.log ?? silentLog
  const lock = acquireDataDirLock(dataDir)
  let store: FileStore | undefined
  try {
    store = FileStore.open(path.join(dataDir, 'state'))
    const protector = explainingProtector(options.secretProtector, dataDir)
    const identity = await loadOrCreateIdentity(store, protector)
    const ca = await LocalCa.loadOrCreate(store, dataDir, protector, now())
    const ctx: SandboxContext = {
      store,
      region,
      accountId: identity.accountId,
      arn: (resource) => `arn:aws:iot:${region}:${identity.accountId}:${resource}`,
      now,
      newId: randomUUID
    }
    const server = await startControlPlaneServer({
      routes: [...registryRoutes(ctx), ...certificateRoutes(ctx, ca), ...policyRoutes(ctx), ...authorizationRoutes(ctx), ...attachmentRoutes(ctx), ...endpointRoutes(ctx)],
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      region,
      signingServices: ACCEPTED_SIGNING_NAMES.controlPlane,
      credentials: { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey },
      throttling: options.throttling ?? false,
      onInternalFailure: (error) => log.error({ err: error }, 'The Local IoT Core failed while handling a request')
    })
    const openStore = store
    let closed = false
    return {
      controlPlaneUrl: server.url,
      region,
      accountId: identity.accountId,
      accessKeyId: identity.accessKeyId,
      secretAccessKey: identity.secretAccessKey,
      caCertificatePath: ca.certificatePath,
      dataDir,
      async close() {
        if (closed) return
        closed = true
        try {
          await server.close()
        } finally {
          openStore.close()
          lock.release()
        }
      }
    }
  } catch (error) {
    store?.close()
    lock.release()
    throw error
  }
}

/** A protector whose failures to open say which data directory could not be unsealed and why that happens. */
function explainingProtector(protector: SecretProtector, dataDir: string): SecretProtector {
  return {
    seal: (plain) => protector.seal(plain),
    async open(sealed) {
      try {
        return await protector.open(sealed)
      } catch (error) {
        throw new Error(
          `The Local IoT Core secrets in ${dataDir} cannot be unsealed (${(error as Error).message}). ` +
            'They were sealed with another key, e.g. the keychain entry was replaced. Restore that key, or move the data directory aside to start an empty sandbox.',
          { cause: error }
        )
      }
    }
  }
}
