import { parseArgs } from 'node:util'
import {
  describeConnection,
  keyAlgorithmSchema,
  policyTemplateSchema,
  type Connection,
  type ProvisionPlanInput,
  type ProvisionProgress,
  type ProvisionResult
} from '../../contract'
import {
  CertificateFileError,
  readCertificateFile,
  type CertificateFileContent
} from '../../core/certificates'
import { exportCertificateBundle } from '../../app/certificateBundle'
import { writableFolderProblem } from '../../app/exportFolder'
import type { AppSession } from '../../app/session'
import { provision, validatePlan } from '../../core/provisioning'
import { connectionFromFlags, connectionOptions } from '../connectionArgs'
import { UsageError } from '../errors'
import type { CommandContext } from '../commandContext'
import { printProgress, withRecoveredSession } from '../runSession'

const options = {
  thing: { type: 'string' },
  type: { type: 'string' },
  attribute: { type: 'string', multiple: true },
  group: { type: 'string', multiple: true },
  policy: { type: 'string' },
  'policy-template': { type: 'string' },
  'no-policy': { type: 'boolean' },
  cert: { type: 'string' },
  'keep-key': { type: 'boolean' },
  'add-certificate': { type: 'boolean' },
  key: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  ...connectionOptions
} as const

export async function provisionCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: flags } = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
  if (!flags.thing) throw new UsageError('provision needs --thing NAME')
  const connection = connectionFromFlags(flags, ctx.env)
  const certificate = await certificateChoice(flags.cert, flags.key, flags['keep-key'] ?? false)
  const planInput: ProvisionPlanInput = {
    thingName: flags.thing,
    ...(flags.type ? { thingTypeName: flags.type } : {}),
    attributes: parseAttributes(flags.attribute ?? []),
    groups: flags.group ?? [],
    certificate: certificate.choice,
    policy: policyChoice(flags),
    addCertificateToExistingThing: flags['add-certificate'] ?? false
  }
  const checked = validatePlan(planInput)
  if (!checked.ok) throw new UsageError(checked.problems.map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}`).join('; '))
  // Checked before anything is created: a folder that cannot take the bundle must not leave a
  // provisioned thing behind a failed command.
  if (flags.out) await assertWritableFolder(flags.out)

  return withRecoveredSession(ctx, flags.json ?? false, async (session) => {
    const iot = await session.iotClient(connection)
    const result = await provision(checked.plan, {
      iot,
      vault: session.vault,
      journal: session.journal,
      connection,
      onProgress: (p: ProvisionProgress) => printProgress(ctx, p, flags.json ?? false),
      unexpectedErrors: session.unexpectedErrors(),
      ...(certificate.keptKey ? { existingCertificateKey: certificate.keptKey } : {}),
      ...(ctx.provisioningHooks ? { hooks: ctx.provisioningHooks } : {})
    })
    if (certificate.notice) ctx.stderr.write(`${certificate.notice}\n`)
    const bundleFiles = flags.out ? await exportAfterProvisioning(session, connection, flags.out, result) : []
    if (flags.json) ctx.stdout.write(JSON.stringify({ ...result, connection, bundleFiles }) + '\n')
    else ctx.stdout.write(summary(result, describeConnection(connection), bundleFiles))
    return 0
  })
}

function parseAttributes(pairs: string[]): Record<string, string> {
  const attributes: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`--attribute takes name=value, got "${pair}"`)
    const name = pair.slice(0, eq)
    if (name in attributes) throw new UsageError(`--attribute ${name} is given twice`)
    attributes[name] = pair.slice(eq + 1)
  }
  return attributes
}

interface CertificateFlagChoice {
  choice: NonNullable<ProvisionPlanInput['certificate']>
  /** The certificate file's own private key, for the vault (--keep-key). */
  keptKey?: string
  /** What happened to a private key found in the certificate file, said after the run. */
  notice?: string
}

/**
 * --cert csr|aws|FILE. A FILE goes on as its certificate blocks only: a private key in it is never
 * sent; with --keep-key it is kept in the vault (encrypted) under the certificate id.
 */
async function certificateChoice(cert: string | undefined, key: string | undefined, keepKey: boolean): Promise<CertificateFlagChoice> {
  if (key !== undefined && cert !== undefined && cert !== 'csr')
    throw new UsageError('--key applies only to --cert csr (the key pair made on this machine)')
  const isFile = cert !== undefined && cert !== 'csr' && cert !== 'aws'
  if (keepKey && !isFile) throw new UsageError('--keep-key applies only to --cert FILE (a certificate file that also holds its private key)')
  if (cert === undefined || cert === 'csr') {
    const parsed = keyAlgorithmSchema.safeParse(key ?? 'ec')
    if (!parsed.success) throw new UsageError(`--key must be one of ec, rsa2048, rsa3072, got "${key}"`)
    return { choice: { mode: 'csr', keyAlgorithm: parsed.data } }
  }
  if (cert === 'aws') return { choice: { mode: 'aws' } }
  let file: CertificateFileContent
  try {
    file = await readCertificateFile(cert)
  } catch (err) {
    if (err instanceof CertificateFileError) throw new UsageError(`--cert ${err.message}`)
    throw err
  }
  const choice = { mode: 'existing' as const, certificatePem: file.certificatePem, keepPrivateKey: keepKey }
  if (!file.privateKeyPem) {
    if (keepKey) throw new UsageError(`--keep-key: ${cert} holds no private key, only the certificate. Leave out --keep-key (the key stays on the device)`)
    return { choice }
  }
  if (keepKey)
    return { choice, keptKey: file.privateKeyPem, notice: `${cert} also held the certificate's private key: it was kept in the vault (encrypted) and not sent to AWS.` }
  return {
    choice,
    notice: `${cert} also holds the certificate's private key: only the certificate was sent to AWS; the key was not kept. Run again with --keep-key to keep it in the vault.`
  }
}

function policyChoice(flags: { policy?: string; 'policy-template'?: string; 'no-policy'?: boolean }): ProvisionPlanInput['policy'] {
  const given = [flags.policy !== undefined, flags['policy-template'] !== undefined, flags['no-policy'] === true].filter(Boolean)
  if (given.length > 1) throw new UsageError('Give one of --policy, --policy-template and --no-policy')
  if (flags['no-policy']) return { mode: 'none' }
  if (flags.policy !== undefined) return { mode: 'existing', policyName: flags.policy }
  const template = policyTemplateSchema.safeParse(flags['policy-template'] ?? 'shadow')
  if (!template.success) throw new UsageError(`--policy-template must be shadow or shadow-jobs, got "${flags['policy-template']}"`)
  return { mode: 'template', template: template.data }
}

function summary(result: ProvisionResult, where: string, bundleFiles: string[]): string {
  const lines = [
    `Provisioned ${result.thingName} on ${where}`,
    `  thing        ${result.thingArn}`,
    `  certificate  ${result.certificateId}`,
    `  policy       ${result.policyName ?? '(none)'}`,
    `  groups       ${result.groups.length ? result.groups.join(', ') : '(none)'}`,
    `  private key  ${result.privateKeyInVault ? 'in the vault' : 'stays on the device'}`
  ]
  if (result.reused.length) lines.push(`  reused       ${result.reused.join(', ')}`)
  if (bundleFiles.length) lines.push('  bundle', ...bundleFiles.map((f) => `    ${f}`))
  return lines.join('\n') + '\n'
}

async function assertWritableFolder(folder: string): Promise<void> {
  const problem = await writableFolderProblem(folder)
  if (problem) throw new UsageError(`--out ${folder} cannot take the bundle (${problem}): choose a folder you can write to. Nothing was created`)
}

/** The run succeeded; if the bundle still cannot be written (a file in the way, a full disk), say what exists. */
async function exportAfterProvisioning(session: AppSession, connection: Connection, folder: string, result: ProvisionResult): Promise<string[]> {
  try {
    return await exportCertificateBundle(session, connection, folder, result)
  } catch (err) {
    throw new Error(
      `${result.thingName} is provisioned (certificate ${result.certificateId}${result.privateKeyInVault ? ', its key in the vault' : ''}), but the bundle was not written: ${(err as Error).message}. ` +
        `Free the folder and run thingbench deprovision --thing ${result.thingName}, then provision again`
    )
  }
}
