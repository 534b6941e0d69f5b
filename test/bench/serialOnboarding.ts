import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onboardExpressLink } from '../../electron/core/onboarding'
import { Journal } from '../../electron/core/provisioning'
import { osKeychain, Vault } from '../../electron/core/vault'
import { expressLinkBench } from '../integration/serial/expresslinkSupport'
import { caOf } from '../support/mqttDevices'
import { startTestSandbox } from '../support/sandbox'
import { benchWifi } from '../devices/expresslink/config'

/**
 * One simulated ExpressLink module (real pty, real serialport) onboarded in one flow against a Local
 * IoT Core: the end-to-end time and the share spent waiting on the module's AT answers.
 */
export async function measureExpressLinkOnboarding(): Promise<void> {
  const cleanups: (() => Promise<void> | void)[] = []
  try {
    const sandbox = await startTestSandbox()
    cleanups.push(() => sandbox.stop())
    const { driver } = await expressLinkBench(cleanups)
    await driver.configure(benchWifi)
    const home = await mkdtemp(join(tmpdir(), 'thingbench-onboarding-bench-'))
    cleanups.push(() => rm(home, { recursive: true, force: true }))
    const vault = await Vault.open(join(home, 'vault.json'), osKeychain())
    const journal = await Journal.open(join(home, 'journal'))
    const started = performance.now()
    const result = await onboardExpressLink(
      { endpoint: `${sandbox.core.mqttHost}:${sandbox.core.mqttPort}`, rootCaPem: caOf(sandbox.core) },
      { iot: sandbox.iot, vault, journal, connection: { kind: 'local' }, driver }
    )
    const total = performance.now() - started
    console.log(
      `ExpressLink onboarding in one flow (identify → shadow verified): ${total.toFixed(0)} ms end to end, ` +
        `${result.moduleMs.toFixed(0)} ms (${((100 * result.moduleMs) / total).toFixed(0)}%) waiting on the module`
    )
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup()
  }
}
