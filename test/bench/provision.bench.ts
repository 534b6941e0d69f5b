// npm run bench:provision [-- --devices N]
// Provisions N devices as one batch (EC P-256 key, CSR path, thing + policy + group) against an in-process
// Local IoT Core and prints per-device latency percentiles. Target on a 2-core machine: p50 <= 40 ms.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { CreateThingGroupCommand } from '@aws-sdk/client-iot'
import { AppSession } from '../../electron/app/session'
import { BatchFacts, provision, validatePlan } from '../../electron/core/provisioning'

const { values } = parseArgs({ options: { devices: { type: 'string', default: '200' }, warmup: { type: 'string', default: '10' } } })
const devices = Number(values.devices)
const warmup = Number(values.warmup)

const home = await mkdtemp(join(tmpdir(), 'thingbench-bench-'))
const session = await AppSession.open({ home })
try {
  const connection = { kind: 'local' } as const
  const iot = await session.iotClient(connection)
  await iot.send(new CreateThingGroupCommand({ thingGroupName: 'bench-line-1' }))
  // One batch, as a CSV run is: the group and policy checks are answered once for all its devices.
  const ctx = { iot, vault: session.vault, journal: session.journal, connection, batchFacts: new BatchFacts() }
  const provisionOne = async (name: string) => {
    const checked = validatePlan({
      thingName: name,
      groups: ['bench-line-1'],
      certificate: { mode: 'csr', keyAlgorithm: 'ec' },
      policy: { mode: 'template', template: 'shadow' }
    })
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
    await provision(checked.plan, ctx)
  }
  for (let i = 0; i < warmup; i++) await provisionOne(`bench-warmup-${i}`)
  const samples: number[] = []
  for (let i = 0; i < devices; i++) {
    const start = process.hrtime.bigint()
    await provisionOne(`bench-device-${i}`)
    samples.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  samples.sort((a, b) => a - b)
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length
  console.log(`bench:provision  devices=${devices} (after ${warmup} warm-up)  EC P-256, CSR, thing + policy + group, in-process Local IoT Core`)
  console.log(`  p50 ${pct(50).toFixed(1)} ms   p95 ${pct(95).toFixed(1)} ms   p99 ${pct(99).toFixed(1)} ms   mean ${mean.toFixed(1)} ms   max ${samples.at(-1)!.toFixed(1)} ms`)
  console.log(`  target p50 <= 40 ms: ${pct(50) <= 40 ? 'met' : 'NOT met'}`)
} finally {
  await session.close()
  await rm(home, { recursive: true, force: true })
}
