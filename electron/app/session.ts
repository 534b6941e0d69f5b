import type { IoTClient } from '@aws-sdk/client-iot'
import { describeConnection, type Connection } from '../contract'
import { createIotClient, regionForProfile } from '../core/aws'
import { HistoryStore } from '../core/history'
import { homeLayout, type HomeLayout } from '../core/home'
import { openLog, type AppLog } from '../core/logging'
import { Journal, recoverInterruptedRuns, type RecoveryReport, type UnexpectedErrorLog } from '../core/provisioning'
import { osKeychain, Vault, type Keychain } from '../core/vault'
import type { LocalIotCore } from '../sandbox'
import { DeviceSide } from './deviceSide'
import { cleanStaleServing, findServing } from './servingLocalCore'
import { vaultSecretProtector } from './vaultProtector'

export interface SessionOptions {
  home: string
  keychain?: Keychain
  /** Environment to read AWS variables from (AWS_REGION, ...). */
  env?: NodeJS.ProcessEnv
  /** The log to write to (the caller closes it); without one, the session opens the home's log itself. */
  log?: AppLog
  /** Which entry point writes the session's own log: electron, serve, cli. */
  processName?: string
  /** When the session's own log file is opened (see OpenLogOptions.opens); the CLI opens it at its first line. */
  logOpens?: 'now' | 'atFirstLine'
}

/**
 * Everything one running ThingBench (the app, the browser-mode server or a CLI command) owns:
 * its home, the vault, the provisioning journal, the embedded Local IoT Core (started on first
 * use) and AWS clients per connection. The composition root shared by electron/main, the headless
 * server and the CLI.
 */
export class AppSession {
  private localCore?: Promise<LocalIotCore>
  private readonly clients = new Map<string, Promise<IoTClient>>()
  private historyStore?: HistoryStore
  /** MQTT connections (as a thing, as an operator) and HTTP data-plane clients, per connection. */
  readonly deviceSide = new DeviceSide(this)

  private constructor(
    readonly layout: HomeLayout,
    readonly vault: Vault,
    readonly journal: Journal,
    private readonly env: NodeJS.ProcessEnv,
    /** The home's rotating log (<home>/logs): unexpected errors with their stacks, never a secret. */
    readonly log: AppLog,
    private readonly ownsLog: boolean
  ) {}

  static async open(options: SessionOptions): Promise<AppSession> {
    const layout = homeLayout(options.home)
    const vault = await Vault.open(layout.vaultFile, options.keychain ?? osKeychain())
    const journal = await Journal.open(layout.journalDir)
    await cleanStaleServing(layout.root, vault)
    const log = options.log ?? (await openLog({ file: layout.logFile, processName: options.processName ?? 'thingbench', opens: options.logOpens ?? 'now' }))
    return new AppSession(layout, vault, journal, options.env ?? process.env, log, !options.log)
  }

  /**
   * The Local IoT Core on this home's data directory: the one `thingbench sandbox` is serving for
   * this home, else an embedded one started now (once).
   */
  localIotCore(options: { port?: number; dataDir?: string; throttling?: boolean; reuseServing?: boolean } = {}): Promise<LocalIotCore> {
    this.localCore ??= (async () => {
      const dataDir = options.dataDir ?? this.layout.sandboxDir
      const serving = options.reuseServing === false ? undefined : await findServing(this.layout.root, dataDir, this.vault)
      if (serving) return { ...serving, close: async () => {} }
      // Loaded only here: a command that reuses a serving Local IoT Core never loads the sandbox.
      const { startLocalIotCore } = await import('../sandbox')
      return startLocalIotCore({
        dataDir,
        port: options.port,
        throttling: options.throttling,
        secretProtector: vaultSecretProtector(this.vault),
        log: this.log.logger.child({ component: 'local-iot-core' })
      })
    })()
    return this.localCore
  }

  /** An IoT control-plane client for a connection; the Local IoT Core is started if needed. */
  iotClient(connection: Connection): Promise<IoTClient> {
    const key = JSON.stringify(connection)
    let client = this.clients.get(key)
    if (!client) {
      client = this.createClient(connection)
      this.clients.set(key, client)
      client.catch(() => this.clients.delete(key))
    }
    return client
  }

  /** The region a profile connection's calls go to (regionForProfile's rule, with this session's environment). */
  profileRegion(connection: Extract<Connection, { kind: 'profile' }>): Promise<string | undefined> {
    return regionForProfile(connection.profile, connection.region, this.env)
  }

  /** profileRegion for calls that cannot go anywhere without one. */
  async requiredProfileRegion(connection: Extract<Connection, { kind: 'profile' }>): Promise<string> {
    const region = await this.profileRegion(connection)
    if (!region) throw new Error(`${describeConnection(connection)} has no region: pass --region or set region in ~/.aws/config`)
    return region
  }

  /** The home's shadow state history (<home>/history.sqlite), opened on first use. */
  history(): HistoryStore {
    this.historyStore ??= HistoryStore.open(this.layout.historyFile, {
      onError: (error, lost) => this.log.logger.error({ err: error, lost }, `${lost} shadow versions could not be written to the history`)
    })
    return this.historyStore
  }

  /** Finishes or undoes provisioning runs that an earlier, killed process left in the journal. */
  recoverInterruptedRuns(onProgress?: Parameters<typeof recoverInterruptedRuns>[0]['onProgress']): Promise<RecoveryReport[]> {
    return recoverInterruptedRuns({
      journal: this.journal,
      vault: this.vault,
      openIot: (connection) => this.iotClient(connection),
      onProgress
    })
  }

  /** For provisioning runs: a bug in a step goes to this log, and the user is told which file. */
  unexpectedErrors(): UnexpectedErrorLog {
    return { log: this.log.logger, detailsAt: this.log.currentFile() }
  }

  async close(): Promise<void> {
    // MQTT first: its connections depend on the Local IoT Core closed below.
    await this.deviceSide.close()
    // After the watches: what they saw last is committed.
    this.historyStore?.close()
    this.historyStore = undefined
    for (const client of this.clients.values()) (await client.catch(() => undefined))?.destroy()
    this.clients.clear()
    const core = await this.localCore?.catch(() => undefined)
    this.localCore = undefined
    await core?.close()
    if (this.ownsLog) await this.log.close()
  }

  private async createClient(connection: Connection): Promise<IoTClient> {
    switch (connection.kind) {
      case 'local': {
        const core = await this.localIotCore()
        return createIotClient({
          region: core.region,
          endpoint: core.controlPlaneUrl,
          credentials: { accessKeyId: core.accessKeyId, secretAccessKey: core.secretAccessKey }
        })
      }
      case 'endpoint':
        return createIotClient({ region: connection.region, endpoint: connection.url })
      case 'profile': {
        const region = await this.requiredProfileRegion(connection)
        return createIotClient({ region, profile: connection.profile })
      }
    }
  }
}
