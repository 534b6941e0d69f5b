import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'

// scripts/summarize-tests.mjs as scripts/test.sh runs it: a directory of runner reports in, the
// closing line CI reads out ("N passed, N failed, N skipped", alone on the last line).

const run = promisify(execFile)
const script = join(__dirname, '..', '..', '..', 'scripts', 'summarize-tests.mjs')
const closingLine = /^\d+ passed, \d+ failed, \d+ skipped$/

/** The top of what vitest's JSON reporter writes (jest-compatible; skipped tests are "pending"). */
const vitestReport = (passed: number, failed: number, skipped: number, todo = 0, success = failed === 0) => ({
  numTotalTestSuites: 3,
  numPassedTestSuites: 3,
  numFailedTestSuites: 0,
  numPendingTestSuites: 0,
  numTotalTests: passed + failed + skipped + todo,
  numPassedTests: passed,
  numFailedTests: failed,
  numPendingTests: skipped,
  numTodoTests: todo,
  startTime: 0,
  success,
  testResults: []
})

/** The top of what Playwright's JSON reporter writes. */
const playwrightReport = (expected: number, unexpected: number, skipped: number, flaky = 0) => ({
  config: {},
  suites: [],
  errors: [],
  stats: { startTime: '2025-01-01T00:00:00.000Z', duration: 1000, expected, skipped, unexpected, flaky }
})

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

async function summarize(reports: Record<string, unknown>, failedChecks = ''): Promise<{ code: number; lines: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'tb-summary-'))
  dirs.push(dir)
  for (const [name, report] of Object.entries(reports)) await writeFile(join(dir, name), JSON.stringify(report))
  const result = await run(process.execPath, [script, dir, failedChecks]).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout })
  )
  return { code: result.code, lines: result.stdout.trimEnd().split('\n') }
}

describe('the closing line of npm test', () => {
  it('adds up passed, failed and skipped over vitest and Playwright', async () => {
    const { code, lines } = await summarize({
      'vitest.json': vitestReport(120, 1, 3, 1),
      'playwright.json': playwrightReport(9, 1, 2, 1)
    })
    expect(lines.at(-1)).toBe('129 passed, 3 failed, 6 skipped')
    expect(lines.at(-1)).toMatch(closingLine)
    expect(code).toBe(1)
  })

  it('succeeds when nothing failed, still saying how many were skipped', async () => {
    const { code, lines } = await summarize({ 'vitest.json': vitestReport(40, 0, 2), 'playwright.json': playwrightReport(5, 0, 0) })
    expect(lines).toEqual(['45 passed, 0 failed, 2 skipped'])
    expect(code).toBe(0)
  })

  it('lists the checks that failed first and counts each as failed', async () => {
    const { code, lines } = await summarize({ 'vitest.json': vitestReport(10, 0, 0), 'playwright.json': playwrightReport(2, 0, 0) }, 'lint typecheck:node')
    expect(lines).toEqual(['checks failed: lint typecheck:node', '12 passed, 2 failed, 0 skipped'])
    expect(code).toBe(1)
  })

  it('counts a vitest run that failed without a failed test (a file that did not load) as one failure', async () => {
    const { code, lines } = await summarize({ 'vitest.json': vitestReport(10, 0, 0, 0, false) })
    expect(lines.at(-1)).toBe('10 passed, 1 failed, 0 skipped')
    expect(code).toBe(1)
  })

  it('fails when no runner wrote a report', async () => {
    const { code, lines } = await summarize({})
    expect(lines).toEqual(['no test report was written', '0 passed, 1 failed, 0 skipped'])
    expect(code).toBe(1)
  })
})
