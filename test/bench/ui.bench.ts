// npm run bench:ui [-- --things N]
// Prints (1) the renderer's initial JavaScript, gzip'd, as the browser loads it before any lazy route
// (target <= 350 KB), and (2) the time to filter N (default 10,000) things in the registry: the
// store's filter function alone, and in the page end to end — text typed into the search box until
// the table shows the new count — in Debian's Chromium against `thingbench serve` and a Local IoT
// Core seeded with N things (target < 100 ms). Needs `npm run build` first.
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { CreateThingCommand, IoTClient } from '@aws-sdk/client-iot'
import { chromium } from '@playwright/test'
import { filterThings } from '../../renderer/src/stores/support/thingFilter'
import { printInitialJavaScript } from './initialJavaScript'
import { startCommand, stopCommand } from './thingbenchCommand'

const { values } = parseArgs({ options: { things: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '7' } } })
const thingCount = Number(values.things)
const rounds = Number(values.rounds)

// ---- (2) filtering -------------------------------------------------------------------------------
function syntheticThings(n: number) {
  const types = ['Lamp', 'Sensor', 'Gateway', undefined]
  return Array.from({ length: n }, (_, i) => ({
    thingName: `device-${String(i).padStart(5, '0')}`,
    thingArn: `arn:aws:iot:eu-west-1:000000000000:thing/device-${i}`,
    thingTypeName: types[i % types.length],
    attributes: { line: `line-${i % 7}`, serial: `SN-${i}` }
  }))
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function storeFilterTiming(): number {
  const things = syntheticThings(thingCount)
  const samples: number[] = []
  for (let i = 0; i < rounds + 2; i++) {
    const start = performance.now()
    filterThings(things, { search: `device-0${i % 10}`, attributeName: 'line', attributeValue: 'line-3' })
    samples.push(performance.now() - start)
  }
  return median(samples.slice(2))
}

async function pageFilterTiming(): Promise<{ loadMs: number; filterMs: number }> {
  const home = await mkdtemp(join(tmpdir(), 'thingbench-bench-ui-'))
  const env = { ...process.env, THINGBENCH_HOME: home }
  const children: ChildProcess[] = []
  try {
    const sandbox = await startCommand(['sandbox'], env)
    children.push(sandbox.child)
    const info = sandbox.info as { controlPlaneUrl: string; region: string; accessKeyId: string; secretAccessKey: string }
    const iot = new IoTClient({ endpoint: info.controlPlaneUrl, region: info.region, credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey } })
    const things = syntheticThings(thingCount)
    for (let i = 0; i < things.length; i += 16)
      await Promise.all(
        things.slice(i, i + 16).map((t) => iot.send(new CreateThingCommand({ thingName: t.thingName, attributePayload: { attributes: t.attributes } })))
      )
    iot.destroy()

    const served = await startCommand(['serve', '--port', '0'], env)
    children.push(served.child)
    const browser = await chromium.launch({ executablePath: process.env.THINGBENCH_CHROMIUM ?? '/usr/bin/chromium' })
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 860 } })
      await page.goto(String(served.info.url))
      const loadStart = Date.now()
      await page.getByTestId('nav-things').click()
      await page.getByTestId('things-count').filter({ hasText: String(thingCount) }).waitFor({ timeout: 300_000 })
      const loadMs = Date.now() - loadStart
      const samples: number[] = []
      // Each term changes the count shown (for 10,000 things: 1000, 100, all, 1, 0, 1000, 10).
      const terms = ['device-01', 'device-023', 'device-0', 'device-00042', 'device-1', 'device-05', 'device-0123']
      for (let i = 0; i < rounds + 1; i++) {
        const term = terms[i % terms.length]!
        samples.push(await page.evaluate<number>(`(${measureFilterInPage})(${JSON.stringify(term)})`))
      }
      return { loadMs, filterMs: median(samples.slice(1)) }
    } finally {
      await browser.close()
    }
  } finally {
    for (const child of children.reverse()) await stopCommand(child)
    await rm(home, { recursive: true, force: true })
  }
}

/**
 * Runs in the page (kept as plain source: tsx's helpers must not leak into the browser): types the term
 * into the search box and times until the count shown changes and the next frame is painted.
 */
const measureFilterInPage = `(term) => {
  const input = document.querySelector('[data-testid="things-search"] input, input[data-testid="things-search"]')
  const count = document.querySelector('[data-testid="things-count"]')
  const before = count.textContent
  return new Promise((done) => {
    const start = performance.now()
    const finish = () => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - start)))
    const observer = new MutationObserver(() => {
      if (count.textContent !== before) { observer.disconnect(); finish() }
    })
    observer.observe(count, { subtree: true, childList: true, characterData: true })
    input.value = term
    input.dispatchEvent(new Event('input', { bubbles: true }))
    // The same count as before (same term): time the repaint alone.
    setTimeout(() => { if (count.textContent === before) { observer.disconnect(); finish() } }, 500)
  })
}`

printInitialJavaScript('bench:ui')
const storeMs = storeFilterTiming()
console.log(`bench:ui  filter ${thingCount} things, store function: ${storeMs.toFixed(2)} ms (median of ${rounds})`)
const page = await pageFilterTiming()
console.log(`bench:ui  registry loaded ${thingCount} things in ${page.loadMs} ms`)
console.log(`bench:ui  filter ${thingCount} things in the page (typed -> table updated): ${page.filterMs.toFixed(1)} ms (median of ${rounds}) (target < 100 ms): ${page.filterMs < 100 ? 'met' : 'NOT met'}`)
