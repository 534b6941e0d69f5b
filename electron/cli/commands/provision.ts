import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import {
  describeConnection,
  keyAlgorithmSchema,
  policyTemplateSchema,
  type ProvisionPlanInput,
  type ProvisionProgress,
  type ProvisionResult
} from '../../contract'
import { parseCertificate, writeCertificateBundle } from '../../core/certificates'
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
  key: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  ...connectionOptions
} as const

export async function provisionCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: flags } = parseArgs({ args: argv, options, strict: true, allowPositionals: false })
  if (!flags.thing) throw new UsageError('provision needs --thing NAME')
  const connection = connectionFromFlags(flags, ctx.env)
  const planInput: ProvisionPlanInput = {
    thingName: flags.thing,
    ...(flags.type ? { thingTypeName: flags.type } : {}),
    attributes: parseAttributes(flags.attribute ?? []),
    groups: flags.group ?? [],
    certificate: await certificateChoice(flags.cert, flags.key),
    policy: policyChoice(flags)
  }
  const checked = validatePlan(planInput)
  if (!checked.ok) throw new UsageError(checked.problems.map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}`).join('; '))

  return withRecoveredSession(ctx, flags.json ?? false, async (session) => {
    const iot = await session.iotClient(connection)
    const result = await provision(checked.plan, {
      iot,
      vault: session.vault,
      journal: session.journal,
      connection,
      onProgress: (p: ProvisionProgress) => printProgress(ctx, p, flags.json ?? false)
    })
    const bundleFiles = flags.out ? await writeBundle(flags.out, result, session) : []
    if (flags.json) ctx.stdout.write(JSON.stringify({ ...result, connection, bundleFiles }) + '\n')
    else ctx.stdout.write(summary(result, describeConnection(connection), bundleFiles))
    return 0
  })

  async function writeBundle(dir: string, result: ProvisionResult, session: Parameters<Parameters<typeof withRecoveredSession>[2]>[0]) {
    const privateKeyPem = result.privateKeyInVault ? ((await session.vault.get(result.certificateId)) ?? undefined) : undefined
    const extraCaFiles =
      connection.kind === 'local'
        ? [{ fileName: 'LocalIoTCoreRootCA.pem', pem: await readFile((await session.localIotCore()).caCertificatePath, 'utf8') }]
        : []
    return writeCertificateBundle(dir, {
      certificateId: result.certificateId,
      certificatePem: result.certificatePem,
      privateKeyPem,
      publicKeyPem: parseCertificate(result.certificatePem).publicKeyPem,
      extraCaFiles
    })
  }
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

async function certificateChoice(cert: string | undefined, key: string | undefined): Promise<ProvisionPlanInput['certificate']> {
  if (key !== undefined && cert !== undefined && cert !== 'csr')
    throw new UsageError('--key applies only to --cert csr (the key pair made on this machine)')
  if (cert === undefined || cert === 'csr') {
    const parsed = keyAlgorithmSchema.safeParse(key ?? 'ec')
    if (!parsed.success) throw new UsageError(`--key must be one of ec, rsa2048, rsa3072, got "${key}"`)
    return { mode: 'csr', keyAlgorithm: parsed.data }
  }
  if (cert === 'aws') return { mode: 'aws' }
  let certificatePem: string
  try {
    certificatePem = await readFile(cert, 'utf8')
  } catch (err) {
    throw new UsageError(`--cert ${cert}: cannot read the certificate file (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
  return { mode: 'existing', certificatePem }
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
