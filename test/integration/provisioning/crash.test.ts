import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { provisionStepSchema, type ProvisionPlanInput, type ProvisionStep } from '../../../electron/contract'
import { Journal, recoverInterruptedRuns } from '../../../electron/core/provisioning'
import { osKeychain, Vault } from '../../../electron/core/vault'
import { startTestSandbox } from '../../support/sandbox'
import { makeDeviceCertificateWithKey } from './support/deviceCertificate'
import { fixedSecretProtector } from './support/fixedSecretProtector'
import { inventory } from './support/inventory'

// The kill test: a child provisions, pauses at exactly one step and point (TB_PAUSE_AT, the engine's test hook),
// is SIGKILLed there, and recovery — on the same sandbox data directory, vault and journal — must
// leave no thing, no ACTIVE certificate and no certificate without its key.

const root = resolve(__dirname, '..', '..', '..')
const driver = join(root, 'test', 'support', 'provisioningCrashDriver.ts')
const sandboxKey = randomBytes(32).toString('hex')
const keychain = osKeychain()
const vaultAccounts: string[] = []

afterAll(async () => {
  for (const account of vaultAccounts) await keychain.deleteSecret(account).catch(() => false)
})

interface KillCase {
  pauseAt: `${ProvisionStep}:${'intent' | 'called'}`
  plan: ProvisionPlanInput
  /** CreateKeysAndCertificate answered but its answer (and the key) died with the process. */
  lostAwsAnswer?: boolean
}

const csrPlan: ProvisionPlanInput = { thingName: 'lamp-1', groups: ['line-1'] }
// Every step of the CSR path, in the engine's order.
const csrSteps: ProvisionStep[] = [...provisionStepSchema.options]
const cases: KillCase[] = [
  ...csrSteps.flatMap((step) => (['intent', 'called'] as const).map((point) => ({ pauseAt: `${step}:${point}` as const, plan: csrPlan }))),
  { pauseAt: 'createCertificate:intent', plan: { thingName: 'lamp-1', certificate: { mode: 'aws' } } },
  { pauseAt: 'createCertificate:called', plan: { thingName: 'lamp-1', certificate: { mode: 'aws' } }, lostAwsAnswer: true },
  { pauseAt: 'storeKey:intent', plan: { thingName: 'lamp-1', certificate: { mode: 'aws' } } },
  { pauseAt: 'storeKey:called', plan: { thingName: 'lamp-1', certificate: { mode: 'aws' } } },
  // The id of a registered certificate is known before the call (SHA-256 of its DER).
  { pauseAt: 'createCertificate:called', plan: { thingName: 'lamp-1', certificate: { mode: 'existing', certificatePem: '' } } },
  // Its own key, read from the same file and kept: in the vault before the certificate is activated.
  { pauseAt: 'storeKey:called', plan: { thingName: 'lamp-1', certificate: { mode: 'existing', certificatePem: '', keepPrivateKey: true } } }
]

async function killAt(c: KillCase, home: string, sandboxDir: string, existingKey?: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', driver], {
    cwd: root,
    env: {
      ...process.env,
      THINGBENCH_HOME: home,
      TB_SANDBOX_DIR: sandboxDir,
      TB_SANDBOX_KEY: sandboxKey,
      TB_PLAN: JSON.stringify(c.plan),
      TB_PAUSE_AT: c.pauseAt,
      ...(existingKey ? { TB_EXISTING_KEY: existingKey } : {})
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const exited = once(child, 'exit')
  const line = await new Promise<string>((resolveLine, reject) => {
    createInterface({ input: child.stdout }).on('line', (l) => (l.startsWith('PAUSED') || l === 'FINISHED') && resolveLine(l))
    void exited.then(() => reject(new Error(`the driver exited before pausing at ${c.pauseAt}: ${stderr}`)))
  })
  expect(line).toBe(`PAUSED ${c.pauseAt}`)
  child.kill('SIGKILL')
  // Reaped before recovery looks at the journal: a zombie's pid would still count as alive.
  const [, signal] = await exited
  expect(signal).toBe('SIGKILL')
}

describe('a run killed at any step and point is undone at the next start', () => {
  for (const c of cases) {
    it(`${c.plan.certificate?.mode ?? 'csr'}${c.plan.certificate?.mode === 'existing' && c.plan.certificate.keepPrivateKey ? ' (key kept)' : ''} path killed at ${c.pauseAt}`, async () => {
      let existingKey: string | undefined
      if (c.plan.certificate?.mode === 'existing') {
        const device = await makeDeviceCertificateWithKey()
        c.plan.certificate.certificatePem = device.certificatePem
        if (c.plan.certificate.keepPrivateKey) existingKey = device.privateKeyPem
      }
      const home = await mkdtemp(join(tmpdir(), 'tb-kill-home-'))
      const sandboxDir = await mkdtemp(join(tmpdir(), 'tb-kill-sandbox-'))
      try {
        await killAt(c, home, sandboxDir, existingKey)

        // The next start: same sandbox data, vault and journal.
        const sandbox = await startTestSandbox({ dataDir: sandboxDir, secretProtector: fixedSecretProtector(sandboxKey) })
        try {
          const vault = await Vault.open(join(home, 'vault.json'), keychain)
          vaultAccounts.push(vault.keychainAccount)
          const journal = await Journal.open(join(home, 'journal'))
          const journalFiles = await readdir(join(home, 'journal'))
          expect(journalFiles).toHaveLength(1)
          // The journal says what to undo, never with key material.
          expect(await readFile(join(home, 'journal', journalFiles[0]!), 'utf8')).not.toMatch(/PRIVATE KEY/)

          const reports = await recoverInterruptedRuns({ journal, vault, openIot: async () => sandbox.iot })
          expect(reports).toHaveLength(1)
          expect(reports[0]).toMatchObject({ thingName: 'lamp-1', outcome: 'undone', connection: { kind: 'local' } })
          expect(reports[0]?.undo.actions.filter((a) => a.status === 'failed')).toEqual([])

          const after = await inventory(sandbox.iot)
          expect(after.things).toEqual([])
          expect(after.policyTargets).toEqual({})
          expect(after.groupMembers).toEqual(Object.fromEntries((c.plan.groups ?? []).map((g) => [g, []])))
          expect(await vault.list()).toEqual([])
          if (c.lostAwsAnswer) {
            // The one window no journal can close: AWS made the keys and the answer died with the
            // process. The certificate was created INACTIVE, so it cannot connect; recovery names it.
            expect(after.certificates).toHaveLength(1)
            expect(after.certificates[0]?.status).toBe('INACTIVE')
            expect(reports[0]?.undo.leftBehind.join(' ')).toContain(after.certificates[0]!.certificateId)
            expect(reports[0]?.summary).toMatch(/INACTIVE certificate without a private key/)
          } else {
            expect(after.certificates).toEqual([])
            expect(reports[0]?.undo.complete).toBe(true)
          }
          expect(await readdir(join(home, 'journal'))).toEqual([])
          // Recovery is done: the next start finds nothing.
          expect(await recoverInterruptedRuns({ journal, vault, openIot: async () => sandbox.iot })).toEqual([])
        } finally {
          await sandbox.stop()
        }
      } finally {
        await rm(home, { recursive: true, force: true })
        await rm(sandboxDir, { recursive: true, force: true })
      }
    })
  }
})
