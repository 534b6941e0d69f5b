// A command-line tool written elsewhere (openssl, mosquitto_pub, …) that tests check the project
// against. Where it is missing, its tests are skipped on a developer's machine (the closing line
// counts them) but fail on CI (process.env.CI), which must run every test.
import { spawnSync } from 'node:child_process'

export interface NeededTool {
  /** For `it.skipIf`: true only off CI, when the tool is missing. */
  skip: boolean
  /** Throws, saying how to install it, when the tool is missing: the first line of a test that needs it. */
  assertPresent(): void
}

/** For `it.skipIf`: whether a test whose precondition (a tool, a peer) is `present` skips — only off CI. */
export function skippedOffCi(present: boolean): boolean {
  return !present && !process.env['CI']
}

export function neededTool(command: string, versionArgs: string[]): NeededTool {
  const present = spawnSync(command, versionArgs, { stdio: 'ignore' }).status === 0
  return {
    skip: skippedOffCi(present),
    assertPresent() {
      if (!present) throw new Error(`${command} is not installed: run \`sudo bash scripts/install-linux-deps.sh\` (CI runs every test, so it must be there)`)
    }
  }
}

export const openssl = neededTool('openssl', ['version'])
