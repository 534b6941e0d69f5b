import { UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import { join } from 'node:path'
import { PortNames, SerialPorts } from '../../electron/core/serial'
import { JsonLinesBridge } from '../../electron/core/bench/jsonLinesBridge'
import { thermostatOnPort } from '../devices/thermostat/onPort'
import { startTestApi } from '../support/apiBackend'
import { openPtyPair } from '../support/ptyPair'

// bench:serial, the bridge round trip: a desired change over the HTTP data plane → the bench (as the
// device, on the thing's own MQTT connection) → the thermostat over a real pty → its report accepted
// by the Local IoT Core. Targets: p50 ≤ 30 ms, p99 ≤ 80 ms.

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

export async function measureSerialBridge(options: { updates: number }): Promise<void> {
  const t = await startTestApi()
  const pair = await openPtyPair('bench-thermostat')
  try {
    const thingName = 'bench-thermostat'
    const run = await t.api.call('provisioning.run', { plan: { thingName } })
    if (run.outcome !== 'provisioned') throw new Error(`provisioning failed: ${JSON.stringify(run)}`)
    const ports = new SerialPorts({ names: await PortNames.open(join(t.home, 'serial-ports.json')) })
    const handle = await ports.acquire(pair.hostPath, 'bench', { baudRate: 115_200, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none' })
    const thermostat = await thermostatOnPort(pair.devicePath, { reportEveryMs: 60_000 })
    const lease = await t.session.deviceSide.device({ kind: 'local' }, thingName)
    const waiters = new Map<number, (ms: number) => void>()
    const bridge = await JsonLinesBridge.attach({
      handle,
      connection: lease.connection,
      onEvent: (event) => {
        if (event.type === 'reported') for (const [target, done] of waiters) if (event.state['target_temperature'] === target) done(Date.now())
      }
    })
    const dataPlane = await t.session.deviceSide.dataPlane({ kind: 'local' })
    const samples: number[] = []
    // A few first round trips warm the connections and the JIT; they are not counted.
    const warmUp = 10
    for (let i = 0; i < options.updates + warmUp; i++) {
      const target = 10 + (i % 20) + (i % 2 ? 0.5 : 0)
      const seen = new Promise<number>((resolve) => waiters.set(target, resolve))
      const started = Date.now()
      await dataPlane.send(new UpdateThingShadowCommand({ thingName, payload: new TextEncoder().encode(JSON.stringify({ state: { desired: { target_temperature: target } } })) }))
      const ms = (await seen) - started
      if (i >= warmUp) samples.push(ms)
      waiters.clear()
    }
    samples.sort((a, b) => a - b)
    console.log(`bridge round trip (${options.updates} updates, JSON-lines thermostat over a pty): p50 ${percentile(samples, 50)} ms (target ≤ 30), p99 ${percentile(samples, 99)} ms (target ≤ 80), max ${samples.at(-1)} ms`)
    await bridge.detach()
    await lease.release()
    await thermostat.close()
    await handle.release()
    await ports.close()
  } finally {
    await pair.close()
    await t.close()
  }
}
