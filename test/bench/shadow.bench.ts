// npm run bench:shadow [-- --devices N --seconds S --rounds R --messages M --window W --only roundtrip|rate|fleet]
// The Device Shadow on the wire, against `thingbench sandbox` in its own process (sandboxProcess.ts),
// with the app's own pieces: things provisioned by core's engine, device connections (mutual TLS, key
// from the vault) and an operator connection (WebSocket + SigV4) under one ConnectionManager, the
// ShadowClient, watchShadow and SimulatedDevice. Three figures and their targets:
//   roundtrip  operator's HTTP update of desired -> device gets the delta and reports -> operator's
//              watch shows reported = desired: p50 <= 20 ms, p99 <= 60 ms over R (500) round trips
//   rate       QoS 1 shadow updates vs raw QoS 1 publishes on one device connection, M (5000) per run
//              with at most W (500) unanswered: ratio >= 0.5
//   fleet      N (200) devices each updating its own shadow once a second for S (60) s: zero errors,
//              p99 update -> accepted <= 100 ms, the sandbox's memory growth <= 150 MB
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pLimit from 'p-limit'
import { AppSession } from '../../electron/app/session'
import type { ConnectionLease, MqttConnection, ReceivedMessage } from '../../electron/core/mqtt'
import { BatchFacts, provision, validatePlan } from '../../electron/core/provisioning'
import { ShadowClient, SimulatedDevice, watchShadow } from '../../electron/core/shadow'
import { osKeychain } from '../../electron/core/vault'
import { startSandboxProcess, type SandboxProcess } from './sandboxProcess'

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '50' },
    messages: { type: 'string', default: '5000' },
    window: { type: 'string', default: '500' },
    only: { type: 'string' }
  }
})
const figures = ['roundtrip', 'rate', 'fleet'] as const
type Figure = (typeof figures)[number]
if (values.only !== undefined && !figures.includes(values.only as Figure)) throw new Error(`--only must be one of ${figures.join(', ')}, got "${values.only}"`)
const runs = (figure: Figure) => values.only === undefined || values.only === figure

const connection = { kind: 'local' } as const
const verdict = (met: boolean) => (met ? 'met' : 'NOT met')
const ms = (value: number) => `${value.toFixed(1)} ms`
const now = () => Number(process.hrtime.bigint()) / 1e6
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b)
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length
  return `p50 ${ms(percentile(sorted, 50))}   p95 ${ms(percentile(sorted, 95))}   p99 ${ms(percentile(sorted, 99))}   mean ${ms(mean)}   max ${ms(sorted.at(-1)!)}`
}

/** Rejects when `promise` has not settled within `timeoutMs`: a lost message fails the bench instead of hanging it. */
function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${timeoutMs} ms`)), timeoutMs)))
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

const home = await mkdtemp(join(tmpdir(), 'thingbench-bench-shadow-'))
let sandbox: SandboxProcess | undefined
let session: AppSession | undefined
try {
  sandbox = await startSandboxProcess(home)
  // The same home: the session finds the serving sandbox and sends everything there.
  session = await AppSession.open({ home, processName: 'bench' })
  const iot = await session.iotClient(connection)
  const batchFacts = new BatchFacts()
  const provisionThing = async (thingName: string, policy?: { policyName: string; document: string }) => {
    const checked = validatePlan({
      thingName,
      certificate: { mode: 'csr', keyAlgorithm: 'ec' },
      policy: policy ? { mode: 'document', ...policy } : { mode: 'template', template: 'shadow' }
    })
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
    await provision(checked.plan, { iot, vault: session!.vault, journal: session!.journal, connection, batchFacts })
  }

  console.log(`bench:shadow — Node ${process.version}, sandbox pid ${sandbox.pid} (thingbench sandbox, own process), load average ${load()}`)
  if (runs('roundtrip')) await roundTrip(session, provisionThing)
  if (runs('rate')) await updateRate(session, provisionThing, sandbox.info.accountId, sandbox.info.region)
  if (runs('fleet')) await fleet(session, provisionThing, sandbox)
  console.log(`  load average at the end ${load()}`)
} finally {
  await session?.close()
  await sandbox?.stop()
  if (session) await osKeychain().deleteSecret(session.vault.keychainAccount).catch(() => false)
  await rm(home, { recursive: true, force: true })
}

type ProvisionThing = (thingName: string, policy?: { policyName: string; document: string }) => Promise<void>

async function roundTrip(session: AppSession, provisionThing: ProvisionThing): Promise<void> {
  const rounds = Number(values.rounds)
  const warmup = Number(values.warmup)
  const thingName = 'bench-roundtrip-lamp'
  await provisionThing(thingName)
  const key = { thingName }
  const deviceLease = await session.deviceSide.device(connection, thingName)
  const operatorLease = await session.deviceSide.operator(connection, 'bench-operator')
  const device = await SimulatedDevice.start({ connection: deviceLease.connection, initialReported: { level: -1 }, answering: { mode: 'auto', delayMs: 0 } })
  const watch = await watchShadow(operatorLease.connection, key)
  const http = ShadowClient.overHttp(await session.deviceSide.dataPlane(connection))
  // The document the watch shows once the device has reported what the operator asked for.
  let waiting: { level: number; resolve: () => void } | undefined
  watch.on((event) => {
    if (event.type !== 'document' || waiting === undefined) return
    const { desired, reported } = event.document.state
    if (reported?.level === waiting.level && desired?.level === waiting.level) waiting.resolve()
  })
  // Where the time goes: when each step of the current round trip happened, from its start.
  let steps: { httpAccepted?: number; deltaAtDevice?: number; reportAccepted?: number } = {}
  let start = 0
  device.on((event) => {
    if (event.type === 'delta') steps.deltaAtDevice ??= now() - start
    if (event.type === 'reported') steps.reportAccepted ??= now() - start
  })
  const once = async (level: number): Promise<{ total: number } & typeof steps> => {
    steps = {}
    start = now()
    const shown = new Promise<void>((resolve) => (waiting = { level, resolve }))
    const updated = http.update(key, { state: { desired: { level } } }).then(() => void (steps.httpAccepted = now() - start))
    await within(Promise.all([updated, shown]), 10_000, `round trip ${level}`)
    return { total: now() - start, ...steps }
  }
  try {
    for (let i = 0; i < warmup; i++) await once(i)
    const results: Array<Awaited<ReturnType<typeof once>>> = []
    for (let i = 0; i < rounds; i++) results.push(await once(warmup + i))
    const samples = results.map((r) => r.total)
    const median = (pick: (r: (typeof results)[number]) => number | undefined) => {
      const xs = results.map(pick).filter((x): x is number => x !== undefined).sort((a, b) => a - b)
      return xs.length ? ms(percentile(xs, 50)) : 'n/a'
    }
    const sorted = [...samples].sort((a, b) => a - b)
    const p50 = percentile(sorted, 50)
    const p99 = percentile(sorted, 99)
    console.log(`roundtrip  ${rounds} round trips (after ${warmup} warm-up): HTTP UpdateThingShadow(desired) -> device (mTLS, auto-ack, no delay) gets the delta and reports -> operator's watch (WSS+SigV4) shows reported = desired`)
    console.log(`  ${summary(samples)}   (watch dropped ${watch.dropped} stale/duplicate)`)
    console.log(`  medians from the start: HTTP update accepted ${median((r) => r.httpAccepted)}, delta at the device ${median((r) => r.deltaAtDevice)}, device's report accepted ${median((r) => r.reportAccepted)}, watch shows it ${median((r) => r.total)}`)
    console.log(`  target p50 <= 20 ms: ${verdict(p50 <= 20)}   target p99 <= 60 ms: ${verdict(p99 <= 60)}`)
  } finally {
    await watch.stop()
    await device.stop()
    await http.close()
    await deviceLease.release()
    await operatorLease.release()
  }
}

/**
 * Sends `count` messages keeping at most `window` unanswered, and resolves with the messages per
 * second: from the first send to the last answer. `send(i)` publishes message i; the caller calls
 * the returned `answered()` once per answer it counts.
 */
function windowedRun(count: number, window: number, send: (i: number) => Promise<void>): { answered: () => void; failed: (error: unknown) => void; done: Promise<number> } {
  let sent = 0
  let answered = 0
  let start = 0
  let finish: (rate: number) => void = () => {}
  let fail: (error: unknown) => void = () => {}
  const pump = () => {
    while (sent < count && sent - answered < window) send(sent++).catch((error: unknown) => fail(error))
  }
  const done = new Promise<number>((resolve, reject) => {
    finish = resolve
    fail = reject
  })
  start = now()
  pump()
  return {
    answered: () => {
      if (answered >= count) return
      if (++answered === count) finish((count * 1000) / (now() - start))
      else pump()
    },
    failed: (error) => fail(error),
    done: within(done, 60_000, `a run of ${count} messages`)
  }
}

async function updateRate(session: AppSession, provisionThing: ProvisionThing, accountId: string, region: string): Promise<void> {
  const count = Number(values.messages)
  const window = Number(values.window)
  const passes = 3
  const thingName = 'bench-rate-sensor'
  const arn = (kind: string, rest: string) => `arn:aws:iot:${region}:${accountId}:${kind}/${rest}`
  // The seed shadow policy plus one plain topic of its own, so both kinds of message go through the same connection and policy checks.
  const document = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client', '${iot:Connection.Thing.ThingName}') },
      { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: [arn('topic', '$aws/things/${iot:Connection.Thing.ThingName}/shadow/*'), arn('topic', 'bench/${iot:Connection.Thing.ThingName}/*')] },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: [arn('topicfilter', '$aws/things/${iot:Connection.Thing.ThingName}/shadow/*'), arn('topicfilter', 'bench/${iot:Connection.Thing.ThingName}/*')] }
    ]
  })
  await provisionThing(thingName, { policyName: 'bench-rate-policy', document })
  const lease = await session.deviceSide.device(connection, thingName)
  const device = lease.connection
  const updateTopic = `$aws/things/${thingName}/shadow/update`
  const rawTopic = `bench/${thingName}/raw`
  let current: ReturnType<typeof windowedRun> | undefined
  let currentTag = ''
  // Only answers to this run's own messages count (a late duplicate of an earlier run's does not).
  const ofThisRun = (m: ReceivedMessage) => (JSON.parse(Buffer.from(m.payload).toString('utf8')) as { clientToken?: string }).clientToken?.startsWith(`${currentTag}-`) === true
  const unsubscribes = [
    await device.subscribe(`${updateTopic}/accepted`, 1, (m) => ofThisRun(m) && current?.answered()),
    await device.subscribe(`${updateTopic}/rejected`, 1, (m) => current?.failed(new Error(`shadow update rejected: ${Buffer.from(m.payload).toString('utf8')}`))),
    await device.subscribe(rawTopic, 1, (m) => ofThisRun(m) && current?.answered())
  ]
  const run = async (kind: 'shadow' | 'raw', n: number, tag: string) => {
    const payload = (i: number) => JSON.stringify({ state: { reported: { seq: i, run: tag } }, clientToken: `${tag}-${i}` })
    const topic = kind === 'shadow' ? updateTopic : rawTopic
    currentTag = tag
    current = windowedRun(n, window, (i) => device.publish(topic, payload(i), { qos: 1 }))
    return current.done
  }
  try {
    await run('raw', 200, 'warm-raw')
    await run('shadow', 200, 'warm-shadow')
    const rates = { raw: [] as number[], shadow: [] as number[] }
    // Interleaved, so a change in the machine's load falls on both kinds alike.
    for (let pass = 0; pass < passes; pass++) {
      rates.raw.push(await run('raw', count, `raw-${pass}`))
      rates.shadow.push(await run('shadow', count, `shadow-${pass}`))
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    const ratio = mean(rates.shadow) / mean(rates.raw)
    console.log(`rate  one device connection (mTLS), QoS 1, at most ${window} unanswered, ${count} messages per run, ${passes} runs each, interleaved`)
    console.log(`  raw: publishes to ${rawTopic}, counted when the same connection (subscribed, QoS 1) receives them: ${rates.raw.map((r) => r.toFixed(0)).join(', ')} msg/s`)
    console.log(`  shadow: updates of reported on ${updateTopic}, counted when their update/accepted arrives: ${rates.shadow.map((r) => r.toFixed(0)).join(', ')} msg/s`)
    console.log(`  ratio shadow/raw ${ratio.toFixed(2)}   target >= 0.5: ${verdict(ratio >= 0.5)}`)
  } finally {
    for (const unsubscribe of unsubscribes) await unsubscribe().catch(() => undefined)
    await lease.release()
  }
}

async function fleet(session: AppSession, provisionThing: ProvisionThing, sandbox: SandboxProcess): Promise<void> {
  const devices = Number(values.devices)
  const seconds = Number(values.seconds)
  const names = Array.from({ length: devices }, (_, i) => `bench-fleet-${String(i).padStart(3, '0')}`)
  for (const name of names) await provisionThing(name)
  const rssBefore = sandbox.rssMb()
  const errors: string[] = []
  const leases: ConnectionLease[] = []
  const stopWatching: Array<() => void> = []
  const clients: Array<{ key: { thingName: string }; client: ShadowClient }> = []
  const connectStart = now()
  const limit = pLimit(16)
  await Promise.all(
    names.map((thingName) =>
      limit(async () => {
        const lease = await session.deviceSide.device(connection, thingName)
        leases.push(lease)
        stopWatching.push(watchForDrops(lease.connection, thingName, errors))
        const client = ShadowClient.overMqtt(lease.connection)
        // The first update subscribes the client to update/accepted and rejected; not timed.
        await client.update({ thingName }, { state: { reported: { seq: 0 } } })
        clients.push({ key: { thingName }, client })
      })
    )
  )
  const connectMs = now() - connectStart
  const rssConnected = sandbox.rssMb()
  let rssPeak = rssConnected
  const samples: number[] = []
  const cpuStart = sandbox.cpuSeconds()
  const runStart = now()
  const inFlight = new Set<Promise<void>>()
  const timers: NodeJS.Timeout[] = []
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, sandbox.rssMb())), 1000)
  try {
    await new Promise<void>((resolve) => {
      let finished = 0
      clients.forEach(({ key, client }, i) => {
        let seq = 0
        const tick = () => {
          if (++seq > seconds) {
            if (++finished === clients.length) resolve()
            return
          }
          const start = now()
          const update = client.update(key, { state: { reported: { seq, at: Date.now() } } }).then(
            () => void samples.push(now() - start),
            (error: unknown) => void errors.push(`${key.thingName} update ${seq}: ${(error as Error).message}`)
          )
          inFlight.add(update)
          void update.finally(() => inFlight.delete(update))
          timers.push(setTimeout(tick, runStart + seq * 1000 + (i * 1000) / clients.length - now()))
        }
        // Spread over the second, as devices started at different times are.
        timers.push(setTimeout(tick, (i * 1000) / clients.length))
      })
    })
    await Promise.all(inFlight)
  } finally {
    clearInterval(sampler)
    for (const timer of timers) clearTimeout(timer)
  }
  const runSeconds = (now() - runStart) / 1000
  const cpu = sandbox.cpuSeconds() - cpuStart
  const rssEnd = sandbox.rssMb()
  rssPeak = Math.max(rssPeak, rssEnd)
  const growth = rssPeak - rssBefore
  const sorted = [...samples].sort((a, b) => a - b)
  const p99 = sorted.length ? percentile(sorted, 99) : Infinity
  for (const stop of stopWatching) stop()
  for (const { client } of clients) await client.close()
  await Promise.all(leases.map((lease) => lease.release()))

  console.log(`fleet  ${devices} device connections (mTLS, one ConnectionManager), each updating its own classic shadow once a second for ${seconds} s (ShadowClient over MQTT, QoS 1)`)
  console.log(`  connected and primed in ${(connectMs / 1000).toFixed(1)} s; ${samples.length} updates accepted of ${devices * seconds} sent in ${runSeconds.toFixed(1)} s`)
  console.log(`  update -> accepted: ${sorted.length ? summary(samples) : 'no samples'}`)
  console.log(`  sandbox RSS: ${rssBefore.toFixed(0)} MB before connecting, ${rssConnected.toFixed(0)} MB connected, ${rssEnd.toFixed(0)} MB at the end, peak ${rssPeak.toFixed(0)} MB; CPU ${((cpu / runSeconds) * 100).toFixed(0)}% of one core during the run`)
  console.log(`  errors ${errors.length}${errors.length ? ` (first: ${errors.slice(0, 3).join('; ')})` : ''}`)
  console.log(
    `  target zero errors: ${verdict(errors.length === 0)}   target p99 <= 100 ms: ${verdict(p99 <= 100)}   target memory growth (peak - before connecting) ${growth.toFixed(0)} MB <= 150 MB: ${verdict(growth <= 150)}`
  )
}

/** A device connection interrupted or closed during the run is an error, even if it reconnects. */
function watchForDrops(connection: MqttConnection, thingName: string, errors: string[]): () => void {
  return connection.onState((state) => {
    if (state.state === 'interrupted' || state.state === 'closed') errors.push(`${thingName} connection ${state.state}${'reason' in state && state.reason ? `: ${state.reason}` : ''}`)
  })
}
