import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { attachmentRoutes } from './attachments/routes'
import { LocalCa } from './ca/localCa'
import { certificateRoutes } from './certificates/routes'
import type { SandboxContext } from './context'
import { acquireDataDirLock } from './dataDirLock'
import { endpointRoutes } from './endpoint/routes'
import { messageRoutes } from './dataplane/messageRoutes'
import { dataPlaneRoutes } from './dataplane/routes'
import { deviceAuthorizer } from './dataplane/deviceAuthorizer'
import { ShadowNotifications } from './dataplane/notifications'
import { startSandboxHttpServer, type RunningServer } from './http/server'
import { sigV4Authorizer } from './http/requestAuthorizer'
import { ACCEPTED_SIGNING_NAMES } from './http/sigv4'
import { loadOrCreateIdentity } from './identity'
import { startDeviceGateway, type DeviceGateway } from './mqtt/deviceGateway'
import { ClientConnectivity } from './mqtt/clientConnectivity'
import { connectivityRoutes } from './connectivity/routes'
import { RetainedMessages } from './mqtt/retainedMessages'
import { gatewayTlsIdentity, GATEWAY_HOST } from './mqtt/serverIdentity'
import { ShadowRequestRate } from './shadow/requestRate'
import { authorizationRoutes } from './policies/authorizationRoutes'
import { policyRoutes } from './policies/routes'
import { registryRoutes } from './registry'
import type { SecretProtector } from './secretProtector'
import { silentLog, type Log } from '../shared/log'
import { openStoredShadows } from './shadow'
import { FileStore } from './state/fileStore'

// The Local IoT Core: AWS IoT's control plane, the HTTP data plane (Device Shadow, Publish, retained
// messages) for IAM callers (SigV4) and for devices (HTTPS with their certificate, AWS's port 8443),
// and the device gateway (MQTT over mutual TLS and over WebSocket with SigV4) on loopback,
// each on its own port, with its state, identity and CA kept in one data directory that only one
// sandbox at a time may use.

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
  /** The device gateway's MQTT over TLS port (AWS: 8883). Default 0: any free port. */
  mqttPort?: number
  /** MQTT over WebSocket with SigV4 (AWS: 443). Default 0: any free port. */
  webSocketPort?: number
  /** The data plane over HTTPS with device certificates (AWS: 8443). Default 0: any free port. */
  deviceDataPlanePort?: number
  /** How long a persistent MQTT session outlives its connection. Default 1 h, as on AWS. */
  mqttSessionExpiryMs?: number
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
  /**
   * The Device Shadow HTTP API on its own port, like AWS's data-ats endpoint: pass as `endpoint` to
   * IoTDataPlaneClient or `--endpoint-url` to `aws iot-data`.
   */
  dataPlaneUrl: string
  /**
   * `https://localhost:<port>`: the same data plane for devices, as AWS serves it on 8443: the client
   * presents its registered, ACTIVE certificate (mutual TLS, trust caCertificatePath) and each call is
   * authorised by that certificate's IoT policies (e.g. iot:GetThingShadow on `thing/<name>`).
   */
  deviceDataPlaneUrl: string
  /** The device gateway (MQTT 3.1.1 over mutual TLS): `localhost`, which its certificate is valid for. */
  mqttHost: string
  mqttPort: number
  /**
   * `wss://localhost:<port>/mqtt`: MQTT over WebSocket for an operator, signed with SigV4 (service
   * iotdevicegateway) with this sandbox's credentials; such a connection may do everything.
   */
  webSocketUrl: string
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
  // Closed in reverse order of start, whether start failed half-way or close() is called.
  const servers: Array<Pick<RunningServer, 'close'>> = []
  let gateway: DeviceGateway | undefined
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
      newId: randomUUID,
      shadows: openStoredShadows(store, now)
    }
    const credentials = { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey }
    const connectivity = new ClientConnectivity()
    const onInternalFailure = (error: unknown): void => log.error({ err: error }, 'The Local IoT Core failed while handling a request')
    const server = await startSandboxHttpServer({
      routes: [...registryRoutes(ctx), ...certificateRoutes(ctx, ca, (id, status) => gateway?.certificateStatusChanged(id, status)), ...policyRoutes(ctx), ...authorizationRoutes(ctx), ...attachmentRoutes(ctx), ...endpointRoutes(ctx), ...connectivityRoutes(ctx, connectivity)],
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      authorizer: sigV4Authorizer({ credentials, region, services: ACCEPTED_SIGNING_NAMES.controlPlane }),
      throttling: options.throttling ?? false,
      onInternalFailure
    })
    servers.push(server)
    const retained = new RetainedMessages(store, now)
    // AWS's data-plane and broker limits (research §5.2); the control plane's rates do not apply there.
    const shadowRequestRate = options.throttling ? new ShadowRequestRate() : undefined
    gateway = await startDeviceGateway({
      ctx,
      ca,
      port: options.mqttPort ?? 0,
      webSocketPort: options.webSocketPort ?? 0,
      credentials,
      retained,
      connectivity,
      sessionExpiryMs: options.mqttSessionExpiryMs,
      ...(shadowRequestRate ? { throttling: { shadowRequestRate } } : {}),
      log
    })
    servers.push(gateway)
    // What HTTP updates produce (update/delta, update/documents) goes out through the device gateway.
    const shadowNotifications = new ShadowNotifications((error) => log.error({ err: error }, 'The Local IoT Core could not publish shadow notifications'))
    shadowNotifications.use(gateway)
    const dataPlaneRoutesServed = [
      ...dataPlaneRoutes({ shadows: ctx.shadows, notifier: shadowNotifications, now, onInternalFailure, ...(shadowRequestRate ? { requestRate: shadowRequestRate } : {}) }),
      ...messageRoutes({ gateway, retained })
    ]
    const dataPlane = await startSandboxHttpServer({
      routes: dataPlaneRoutesServed,
      host: options.host ?? '127.0.0.1',
      port: 0,
      authorizer: sigV4Authorizer({ credentials, region, services: ACCEPTED_SIGNING_NAMES.dataPlane }),
      // The control plane's per-operation rates do not apply here; the shadow request rate does (above).
      throttling: false,
      onInternalFailure
    })
    servers.push(dataPlane)
    const serverIdentity = gatewayTlsIdentity(ca, now())
    const deviceDataPlane = await startSandboxHttpServer({
      routes: dataPlaneRoutesServed,
      host: options.host ?? '127.0.0.1',
      port: options.deviceDataPlanePort ?? 0,
      authorizer: deviceAuthorizer(ctx),
      tls: { key: serverIdentity.key, certificateChain: serverIdentity.certificateChain, clientCa: ca.certificatePem },
      throttling: false,
      onInternalFailure
    })
    servers.push(deviceDataPlane)
    const openStore = store
    let closed = false
    return {
      controlPlaneUrl: server.url,
      dataPlaneUrl: dataPlane.url,
      // The server certificate names localhost (and 127.0.0.1, ::1), like the broker's.
      deviceDataPlaneUrl: `https://${GATEWAY_HOST}:${deviceDataPlane.port}`,
      mqttHost: gateway.host,
      mqttPort: gateway.port,
      webSocketUrl: gateway.webSocketUrl,
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
          await closeAll(servers)
        } finally {
          openStore.close()
          lock.release()
        }
      }
    }
  } catch (error) {
    await closeAll(servers).catch(() => undefined)
    store?.close()
    lock.release()
    throw error
  }
}

/** Closes every server, the last started first; the first failure is thrown once all were tried. */
async function closeAll(servers: Array<Pick<RunningServer, 'close'>>): Promise<void> {
  let failure: unknown
  for (const server of [...servers].reverse()) await server.close().catch((error: unknown) => (failure ??= error))
  if (failure !== undefined) throw failure
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
