import type { IoTClient } from '@aws-sdk/client-iot'
import { describeConnection, type Connection } from '../contract'
import { createIotClient, profileRegion } from '../core/aws'
import { homeLayout, type HomeLayout } from '../core/home'
import { Journal, recoverInterruptedRuns, type RecoveryReport } from '../core/provisioning'
import { osKeychain, Vault, type Keychain } from '../core/vault'
import { startLocalIotCore, type LocalIotCore } from '../sandbox'
import { findServing } from './servingLocalCore'
import { vaultSecretProtector } from './vaultProtector'

export interface SessionOptions {
  home: string
  keychain?: Keychain
  /** Environment to read AWS variables from (AWS_REGION, ...). */
  env?: NodeJS.ProcessEnv
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

  private constructor(
    readonly layout: HomeLayout,
    readonly vault: Vault,
    readonly journal: Journal,
    private readonly env: NodeJS.ProcessEnv
  ) {}

  static async open(options: SessionOptions): Promise<AppSession> {
    const layout = homeLayout(options.home)
    const vault = await Vault.open(layout.vaultFile, options.keychain ?? osKeychain())
    const journal = await Journal.open(layout.journalDir)
    return new AppSession(layout, vault, journal, options.env ?? process.env)
  }

  /**
   * The Local IoT Core on this home's data directory: the one `thingbench sandbox` is serving for
   * this home, else an embedded one started now (once).
   */
  localIotCore(options: { port?: number; dataDir?: string; throttling?: boolean; reuseServing?: boolean } = {}): Promise<LocalIotCore> {
    this.localCore ??= (async () => {
      const dataDir = options.dataDir ?? this.layout.sandboxDir
      const serving = options.reuseServing === false ? undefined : await findServing(this.layout.root, dataDir)
      if (serving) return { ...serving, close: async () => {} }
      return startLocalIotCore({
        dataDir,
        port: options.port,
        throttling: options.throttling,
        secretProtector: vaultSecretProtector(this.vault)
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

  /** Finishes or undoes provisioning runs that an earlier, killed process left in the journal. */
  recoverInterruptedRuns(onProgress?: Parameters<typeof recoverInterruptedRuns>[0]['onProgress']): Promise<RecoveryReport[]> {
    return recoverInterruptedRuns({
      journal: this.journal,
      vault: this.vault,
      openIot: (connection) => this.iotClient(connection),
      onProgress
    })
  }

  async close(): Promise<void> {
    for (const client of this.clients.values()) (await client.catch(() => undefined))?.destroy()
    this.clients.clear()
    const core = await this.localCore?.catch(() => undefined)
    this.localCore = undefined
    await core?.close()
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
        const region =
          connection.region ?? (await profileRegion(connection.profile)) ?? this.env.AWS_REGION ?? this.env.AWS_DEFAULT_REGION
        if (!region)
          throw new Error(`${describeConnection(connection)} has no region: pass --region or set region in ~/.aws/config`)
        return createIotClient({ region, profile: connection.profile })
      }
    }
  }
}
