// npm run bench:inspector [-- --seconds 60 --rate 200 --history-versions 100000]
// The live shadow inspector under load, in Debian's Chromium against `thingbench serve` and the
// Local IoT Core: the History tab open on a thing while a cloud application (the AWS SDK's data
// plane client, outside the app) updates its shadow `rate` times a second for `seconds`. Prints
// the page's long tasks (PerformanceObserver 'longtask'; target: none over 100 ms), its JS heap
// growth after GC (CDP HeapProfiler.collectGarbage + Runtime.getHeapUsage; target < 50 MB),
// the versions the inspector's timeline counts and the SQLite history holds against those sent
// (target: every one, 1..N), then the history figures (historyFigures.ts) and the renderer's
// initial JavaScript (initialJavaScript.ts). Builds first (the npm script runs electron-vite build).
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { IoTDataPlaneClient, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane'
import { chromium, type Page } from '@playwright/test'
import { historyConnectionKey } from '../../electron/app/historyRecorder'
import { HistoryStore } from '../../electron/core/history'
import { callApi } from '../e2e/callApi'
import { historyTargetsMet, measureHistory, printHistoryFigures } from './historyFigures'
import { printProfile, startProfile } from './cpuProfile'
import { printInitialJavaScript } from './initialJavaScript'
import { startCommand, stopCommand } from './thingbenchCommand'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    rate: { type: 'string', default: '200' },
    'history-versions': { type: 'string', default: '100000' },
    /** Also prints where the page spent its main thread under load (a CDP CPU profile, top functions by self time). */
    profile: { type: 'boolean', default: false },
    /** The Live tab only (a baseline: what the History tab adds is the difference). */
    'live-only': { type: 'boolean', default: false }
  }
})
const seconds = Number(values.seconds)
const rate = Number(values.rate)
const thingName = 'bench-inspector'
const longTaskLimitMs = 100
const heapGrowthLimitMb = 50

interface SandboxInfo {
  dataPlaneUrl: string
  region: string
  accessKeyId: string
  secretAccessKey: string
}

/** Runs in the page before the app: every long task from here on (kept as plain source for the browser). */
const collectLongTasks = `
  window.__longTasks = []
  new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.__longTasks.push({ start: entry.startTime, ms: entry.duration }) })
    .observe({ type: 'longtask', buffered: true })
  // Long animation frames say which scripts made a frame long: what --profile prints.
  window.__longFrames = []
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if (entry.duration > 100)
        window.__longFrames.push({ start: entry.startTime, ms: entry.duration, layoutMs: entry.forcedStyleAndLayoutDuration ?? 0, renderMs: entry.renderStart ? entry.startTime + entry.duration - entry.renderStart : 0, scripts: entry.scripts.map((script) => ({ ms: script.duration, what: script.invoker + ' ' + script.sourceFunctionName + ' ' + script.sourceURL.split('/').pop() + ':' + script.sourceCharPosition })) })
  }).observe({ type: 'long-animation-frame', buffered: true })
`

/** The app's own environment: a fresh home, no AWS settings of whoever runs the bench. */
function benchEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, THINGBENCH_HOME: home }
  for (const key of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION']) delete env[key]
  return env
}

/** Sends `count` updates at `perSecond`, on a clock (not one after another): a late answer does not slow the rate. */
async function steadyUpdates(client: IoTDataPlaneClient, count: number, perSecond: number): Promise<{ seconds: number; failed: number; firstError?: string }> {
  const start = performance.now()
  let sent = 0
  let failed = 0
  let firstError: string | undefined
  const inFlight = new Set<Promise<void>>()
  const update = (n: number) => {
    const state = { reported: { temperature: 20 + Math.sin(n / 50) * 3, humidity: 40 + (n % 20), battery: 100 - (n % 100) / 10, sequence: n }, ...(n % 10 === 0 ? { desired: { temperature: 21 + (n % 3) } } : {}) }
    const call = client
      .send(new UpdateThingShadowCommand({ thingName, payload: new TextEncoder().encode(JSON.stringify({ state, clientToken: `bench-${n}` })) }))
      .then(
        () => undefined,
        (error: unknown) => {
          failed++
          firstError ??= String(error)
        }
      )
      .finally(() => inFlight.delete(call))
    inFlight.add(call)
  }
  while (sent < count) {
    const due = Math.min(count, Math.floor(((performance.now() - start) / 1000) * perSecond))
    while (sent < due) update(++sent)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  await Promise.all(inFlight)
  return { seconds: (performance.now() - start) / 1000, failed, ...(firstError ? { firstError } : {}) }
}

async function heapUsedMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('HeapProfiler.collectGarbage')
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }
  await cdp.detach()
  return usedSize / 1024 / 1024
}

const timelineCount = async (page: Page): Promise<number> => Number(await page.getByTestId('history-version-count').getAttribute('data-count'))

/** Which of versions 1..last the home's SQLite history lacks. */
function missingFromHistory(home: string, last: number): number[] {
  const store = HistoryStore.open(join(home, 'history.sqlite'))
  try {
    const seen = new Set<number>()
    let nextToken: string | undefined
    do {
      const page = store.versions({ connection: historyConnectionKey({ kind: 'local' }), thingName, maxResults: 1000, withDocuments: false, ...(nextToken ? { nextToken } : {}) })
      for (const version of page.versions) seen.add(version.version)
      nextToken = page.nextToken
    } while (nextToken)
    return Array.from({ length: last }, (_, i) => i + 1).filter((version) => !seen.has(version))
  } finally {
    store.close()
  }
}

async function inspectorUnderLoad() {
  const home = await mkdtemp(join(tmpdir(), 'thingbench-bench-inspector-'))
  const env = benchEnv(home)
  const children: ChildProcess[] = []
  try {
    const sandbox = await startCommand(['sandbox'], env)
    children.push(sandbox.child)
    const info = sandbox.info as unknown as SandboxInfo
    const dataPlane = new IoTDataPlaneClient({ endpoint: info.dataPlaneUrl, region: info.region, credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey } })
    const served = await startCommand(['serve', '--port', '0'], env)
    children.push(served.child)
    const url = String(served.info.url)
    const browser = await chromium.launch({ executablePath: process.env.THINGBENCH_CHROMIUM ?? '/usr/bin/chromium' })
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } })
      await page.addInitScript(collectLongTasks)
      await page.goto(url)
      const provisioned = (await callApi(page, 'provisioning.run', { plan: { thingName } })) as { outcome: string }
      if (provisioned.outcome !== 'provisioned') throw new Error(`provisioning ${thingName}: ${JSON.stringify(provisioned)}`)
      // Version 1 before the inspector opens; the load makes versions 2..N+1.
      await dataPlane.send(new UpdateThingShadowCommand({ thingName, payload: new TextEncoder().encode(JSON.stringify({ state: { reported: { temperature: 20 } } })) }))
      await page.goto(`${url.replace(/#.*$/, '')}#/shadow/${thingName}`)
      await page.getByTestId('shadow-view').and(page.locator('[data-watch-state="watching"]')).waitFor({ timeout: 30_000 })
      const withHistory = !values['live-only']
      if (withHistory) {
        await page.getByTestId('shadow-tab-history').click()
        await page.locator('[data-testid="history-version-count"][data-count="1"]').waitFor({ timeout: 30_000 })
        await page.getByTestId('shadow-chart').waitFor({ timeout: 30_000 })
      }

      const count = Math.round(seconds * rate)
      const last = count + 1
      const heapBeforeMb = await heapUsedMb(page)
      const profiler = values.profile ? await startProfile(page) : undefined
      const loadStart = await page.evaluate(() => performance.now())
      const sending = await steadyUpdates(dataPlane, count, rate)
      // Every version reaches the timeline (or the wait ends and the shortfall is the figure).
      const caughtUpStart = Date.now()
      if (withHistory) await page.locator(`[data-testid="history-version-count"][data-count="${last}"]`).waitFor({ timeout: 60_000 }).catch(() => undefined)
      else await new Promise((resolve) => setTimeout(resolve, 3000))
      const catchUpSeconds = (Date.now() - caughtUpStart) / 1000
      const versionsSeen = withHistory ? await timelineCount(page) : 0
      const chartPoints = withHistory ? Number(await page.getByTestId('shadow-chart').getAttribute('data-points')) : 0
      const longTasks = (await page.evaluate(`window.__longTasks.filter((task) => task.start >= ${loadStart})`)) as Array<{ ms: number }>
      if (profiler) {
        console.log(`  timeline rows in the DOM: ${await page.getByTestId('history-version-row').count()}`)
        printProfile(await profiler(), 'inspector')
        const frames = (await page.evaluate(`window.__longFrames.filter((frame) => frame.start >= ${loadStart})`)) as Array<{ ms: number; layoutMs: number; renderMs: number; scripts: Array<{ ms: number; what: string }> }>
        console.log('  long animation frames (> 100 ms) and their longest scripts:')
        for (const frame of frames.slice(0, 15)) console.log(`    ${frame.ms.toFixed(0)} ms (forced layout ${Number(frame.layoutMs).toFixed(0)} ms, rendering ${Number(frame.renderMs).toFixed(0)} ms): ${frame.scripts.sort((a, b) => b.ms - a.ms).slice(0, 3).map((script) => `${script.ms.toFixed(0)} ms ${script.what}`).join('; ')}`)
      }
      const heapAfterMb = await heapUsedMb(page)
      await page.close()
      dataPlane.destroy()
      // serve closes its history cleanly before the file is read.
      await stopCommand(served.child)
      const missing = missingFromHistory(home, last)
      return { count, last, sending, catchUpSeconds, versionsSeen, chartPoints, longTasks, heapBeforeMb, heapAfterMb, missing }
    } finally {
      await browser.close()
    }
  } finally {
    for (const child of children.reverse()) await stopCommand(child)
    await rm(home, { recursive: true, force: true })
  }
}

const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met')
const load = await inspectorUnderLoad()
const longest = Math.max(0, ...load.longTasks.map((task) => task.ms))
const over = load.longTasks.filter((task) => task.ms > longTaskLimitMs).length
const growth = load.heapAfterMb - load.heapBeforeMb
const everyVersion = load.versionsSeen === load.last && load.missing.length === 0
console.log(`bench:inspector  ${values['live-only'] ? 'Live tab only (baseline)' : 'History tab open'} on ${thingName}; ${load.count} UpdateThingShadow calls from outside the app at ${rate}/s for ${seconds} s (sent in ${load.sending.seconds.toFixed(1)} s, ${load.sending.failed} failed${load.sending.firstError ? `: ${load.sending.firstError}` : ''})`)
console.log(`  long tasks   ${load.longTasks.length} over 50 ms, longest ${longest.toFixed(0)} ms, ${over} over ${longTaskLimitMs} ms   target none over ${longTaskLimitMs} ms: ${verdict(over === 0)}`)
console.log(`  heap         ${load.heapBeforeMb.toFixed(1)} MB -> ${load.heapAfterMb.toFixed(1)} MB after GC: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB   target < ${heapGrowthLimitMb} MB: ${verdict(growth < heapGrowthLimitMb)}`)
console.log(`  versions     sent 1..${load.last}; timeline counts ${load.versionsSeen} (caught up ${load.catchUpSeconds.toFixed(1)} s after the last send), chart ${load.chartPoints} points; SQLite history lacks ${load.missing.length}${load.missing.length ? ` (first: ${load.missing.slice(0, 10).join(', ')})` : ''}   target every version: ${verdict(everyVersion)}`)
const history = await measureHistory(Number(values['history-versions']))
printHistoryFigures(history, 'bench:inspector history')
const jsMet = printInitialJavaScript('bench:inspector')
if (over > 0 || growth >= heapGrowthLimitMb || !everyVersion || !historyTargetsMet(history) || !jsMet) process.exitCode = 1
