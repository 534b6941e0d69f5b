// Finds every AWS CLI on this machine, so wire-compatibility tests run each one by path and say which
// versions they ran: Debian's v2 at /usr/bin/aws (scripts/install-linux-deps.sh) and whatever `aws`
// comes on PATH (e.g. a pip-installed v1 behind a pyenv shim).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

export interface AwsCli {
  path: string
  /** The first line of `aws --version`, e.g. `aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12 prompt/off`. */
  version: string
  /** What a test name shows: the CLI's and botocore's versions and the path, e.g. `aws-cli/2.9.19 (/usr/bin/aws)`. */
  label: string
}

export const AWS_CLI_INSTALL_HINT =
  "install the AWS CLI v2 with `sudo bash scripts/install-linux-deps.sh` (Debian's awscli, /usr/bin/aws) " +
  'and the v1 CLI with `pip install awscli` (it must come first on PATH or be the other `aws`)'

/** Distinct AWS CLIs: one per real path and per version, in the order found. */
export function findAwsClis(searchPath = process.env['PATH'] ?? ''): AwsCli[] {
  const candidates = ['/usr/bin/aws', ...searchPath.split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'aws'))]
  const seenPaths = new Set<string>()
  const seenVersions = new Set<string>()
  const found: AwsCli[] = []
  for (const candidate of candidates) {
    const realPath = executableRealPath(candidate)
    if (!realPath || seenPaths.has(realPath)) continue
    seenPaths.add(realPath)
    const version = versionOf(candidate)
    if (!version || seenVersions.has(version)) continue
    seenVersions.add(version)
    found.push({ path: candidate, version, label: `${shortVersion(version)} (${candidate})` })
  }
  return found
}

function executableRealPath(file: string): string | undefined {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.realpathSync(file)
  } catch {
    return undefined
  }
}

function versionOf(cli: string): string | undefined {
  const result = spawnSync(cli, ['--version'], { encoding: 'utf8', timeout: 30_000 })
  if (result.status !== 0) return undefined
  // Older CLIs print their version on stderr.
  const line = `${result.stdout}\n${result.stderr}`.split('\n').find((text) => text.startsWith('aws-cli/'))
  return line?.trim()
}

function shortVersion(version: string): string {
  return version
    .split(/\s+/)
    .filter((part) => part.startsWith('aws-cli/') || part.startsWith('botocore/'))
    .join(' ')
}

/**
 * The environment for running an AWS CLI against a Local IoT Core: only its credentials and region,
 * a config home of the test's own (nothing from ~/.aws), one attempt, no pager, no instance metadata.
 */
export function sandboxCliEnv(home: string, core: { accessKeyId: string; secretAccessKey: string; region: string }): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
    AWS_ACCESS_KEY_ID: core.accessKeyId,
    AWS_SECRET_ACCESS_KEY: core.secretAccessKey,
    AWS_REGION: core.region,
    AWS_DEFAULT_REGION: core.region,
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true'
  }
}
