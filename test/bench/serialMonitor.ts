import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { SerialPort } from 'serialport'
import { openPtyPair } from '../support/ptyPair'
import { printProfile, startProfile } from './cpuProfile'
import { startCommand, stopCommand } from './thingbenchCommand'

// The serial monitor under a firehose: a "board" on a socat pty writes 1 MB/s (lines of text, as a
// chatty firmware logs) for N seconds at 921,600 baud (a pty ignores the rate); the page, in
// Chromium against `thingbench serve`, shows it in the text view. Figures: bytes sent vs. the
// count the page shows (nothing dropped), and the main thread's long tasks (target: none over 100 ms).
// `view` picks the monitor's view under load (text by default; hex and plot draw differently);
// `profile` also prints where the main thread went (a CPU profile) and the long animation frames.
// Needs `npm run build` first (the built CLI and renderer).

interface LongFrame {
  ms: number
  layoutMs: number
  renderMs: number
  scripts: Array<{ ms: number; what: string }>
}

/** Runs in the page before the app: long animation frames say which scripts made a frame long (kept as plain source for the browser). */
const collectLongFrames = `
  window.longFrames = []
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if (entry.duration > 100)
        window.longFrames.push({ ms: entry.duration, layoutMs: entry.forcedStyleAndLayoutDuration ?? 0, renderMs: entry.renderStart ? entry.startTime + entry.duration - entry.renderStart : 0, scripts: entry.scripts.map((script) => ({ ms: script.duration, what: script.invoker + ' ' + script.sourceFunctionName + ' ' + script.sourceURL.split('/').pop() + ':' + script.sourceCharPosition })) })
  }).observe({ type: 'long-animation-frame', buffered: true })
`

export interface SerialMonitorOptions {
  seconds: number
  view?: 'text' | 'hex' | 'plot'
  profile?: boolean
}

export async function measureSerialMonitor(options: SerialMonitorOptions = { seconds: 30 }): Promise<void> {
  const seconds = options.seconds || 30
  const view = options.view ?? 'text'
  const home = await mkdtemp(join(tmpdir(), 'thingbench-bench-serial-'))
  const pty = await openPtyPair('bench', home)
  const served = await startCommand(['serve', '--port', '0'], { ...process.env, THINGBENCH_HOME: home })
  const browser = await chromium.launch({ executablePath: process.env.THINGBENCH_CHROMIUM ?? '/usr/bin/chromium' })
  const board = new SerialPort({ path: pty.devicePath, baudRate: 921_600, autoOpen: false })
  try {
    await new Promise<void>((resolve, reject) => board.open((e) => (e ? reject(e) : resolve())))
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.addInitScript(() => {
      const w = globalThis as unknown as { longTasks: number[] }
      w.longTasks = []
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: 'longtask' as never, buffered: true })
    })
    await page.addInitScript(collectLongFrames)
    // The port opens at 921,600 baud: the choice remembered for this path, as after a user picked it.
    const settings = { [pty.hostPath]: { baudRate: 921_600, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none' } }
    await page.addInitScript((json) => localStorage.setItem('thingbench.serial.settings', json), JSON.stringify(settings))
    await page.goto(String(served.info.url))
    await page.getByTestId('nav-serial').click()
    await page.getByTestId('serial-add-path').locator('input').fill(pty.hostPath)
    await page.getByTestId('serial-add-path-button').click()
    await page.getByTestId('serial-open').first().click()
    const count = page.getByTestId('serial-bytes-received')
    await count.waitFor()
    if (view !== 'text') await page.getByTestId(`serial-view-${view}`).click()
    await page.evaluate(() => ((globalThis as unknown as { longTasks: number[]; longFrames: unknown[] }).longTasks = []))
    await page.evaluate(() => ((globalThis as unknown as { longFrames: unknown[] }).longFrames = []))
    const profiler = options.profile ? await startProfile(page) : undefined

    // 1 MB a second in 10 ms slices of 10 KB, each a run of 100-byte lines.
    const line = (n: number) => `${String(n).padStart(8, '0')} temp:${(20 + (n % 50) / 10).toFixed(1)} ${'x'.repeat(74)}\n`.slice(-100)
    let sent = 0
    let n = 0
    const started = Date.now()
    while (Date.now() - started < seconds * 1000) {
      const due = Math.floor(((Date.now() - started) / 1000) * 1024 * 1024)
      if (sent < due) {
        let chunk = ''
        while (chunk.length < 10_240) chunk += line(n++)
        sent += chunk.length
        if (!board.write(chunk)) await new Promise((resolve) => board.once('drain', resolve))
      } else await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const writing = (Date.now() - started) / 1000
    const deadline = Date.now() + 30_000
    let shown = 0
    while (Date.now() < deadline) {
      shown = Number(await count.textContent())
      if (shown >= sent) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    const caughtUp = (Date.now() - started) / 1000 - writing
    const longTasks = await page.evaluate(() => (globalThis as unknown as { longTasks: number[] }).longTasks)
    const worst = Math.max(0, ...longTasks)
    console.log(`serial monitor (${view} view): ${(sent / 1024 / 1024).toFixed(1)} MB sent in ${writing.toFixed(1)} s (${(sent / 1024 / 1024 / writing).toFixed(2)} MB/s) at 921600 baud on a pty`)
    console.log(`  received in the page: ${shown} of ${sent} bytes (${shown === sent ? 'nothing dropped' : `${sent - shown} MISSING`}), caught up ${caughtUp.toFixed(1)} s after the last write`)
    console.log(`  main-thread long tasks: ${longTasks.length}, longest ${worst.toFixed(0)} ms (target: none over 100 ms): ${worst <= 100 ? 'met' : 'NOT met'}`)
    if (profiler) {
      printProfile(await profiler(), 'serial-monitor')
      const frames = await page.evaluate(() => (globalThis as unknown as { longFrames: LongFrame[] }).longFrames)
      console.log('  long animation frames (> 100 ms) and their longest scripts:')
      for (const frame of frames.slice(0, 15))
        console.log(`    ${frame.ms.toFixed(0)} ms (forced layout ${frame.layoutMs.toFixed(0)} ms, rendering ${frame.renderMs.toFixed(0)} ms): ${frame.scripts.sort((a, b) => b.ms - a.ms).slice(0, 3).map((script) => `${script.ms.toFixed(0)} ms ${script.what}`).join('; ')}`)
    }
    await page.screenshot({ path: join('test-results', 'bench-serial-monitor.png') })
  } finally {
    if (board.isOpen) await new Promise((resolve) => board.close(resolve))
    await browser.close()
    await stopCommand(served.child)
    await pty.close()
    await rm(home, { recursive: true, force: true })
  }
}

