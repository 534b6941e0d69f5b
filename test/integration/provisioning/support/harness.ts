import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IoTClient } from '@aws-sdk/client-iot'
import type { Connection, ProvisionProgress } from '../../../../electron/contract'
import { Journal } from '../../../../electron/core/provisioning'
import { osKeychain, Vault } from '../../../../electron/core/vault'
import { startTestSandbox } from '../../../support/sandbox'

/** One test's world: a fresh Local IoT Core, a real vault (OS keychain) and journal in a temp home. */
export interface Harness {
  iot: IoTClient
  vault: Vault
  journal: Journal
  journalDir: string
  connection: Connection
  progress: ProvisionProgress[]
  /** The context provision() takes, recording progress. */
  ctx(extra?: { onProgress?: (p: ProvisionProgress) => void | Promise<void> }): {
    iot: IoTClient
    vault: Vault
    journal: Journal
    connection: Connection
    onProgress: (p: ProvisionProgress) => Promise<void>
  }
  journalFiles(): Promise<string[]>
  close(): Promise<void>
}

export async function startHarness(): Promise<Harness> {
  const home = await mkdtemp(join(tmpdir(), 'tb-provision-'))
  const sandbox = await startTestSandbox()
  const keychain = osKeychain()
  const vault = await Vault.open(join(home, 'vault.json'), keychain)
  const journalDir = join(home, 'journal')
  const journal = await Journal.open(journalDir)
  const connection: Connection = { kind: 'local' }
  const progress: ProvisionProgress[] = []
  return {
    iot: sandbox.iot,
    vault,
    journal,
    journalDir,
    connection,
    progress,
    ctx: (extra = {}) => ({
      iot: sandbox.iot,
      vault,
      journal,
      connection,
      onProgress: async (p) => {
        progress.push(p)
        await extra.onProgress?.(p)
      }
    }),
    journalFiles: async () => (await readdir(journalDir)).sort(),
    close: async () => {
      await sandbox.stop()
      await keychain.deleteSecret(vault.keychainAccount).catch(() => false)
      await rm(home, { recursive: true, force: true })
    }
  }
}
