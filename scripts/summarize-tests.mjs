// Adds up the JSON reports of every test runner in a directory and prints the closing line
// "N passed, N failed". Checks that failed (lint, type checks, build) are listed before it.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const [dir, failedChecks = ''] = process.argv.slice(2)
let passed = 0
let failed = 0
let reports = 0
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'))
  reports++
  if (typeof report.numPassedTests === 'number') {
    // vitest (jest-compatible JSON)
    passed += report.numPassedTests
    failed += report.numFailedTests
    if (report.success === false && report.numFailedTests === 0) failed += 1 // a suite that failed to load
  } else if (report.stats) {
    // Playwright JSON reporter
    passed += report.stats.expected ?? 0
    failed += (report.stats.unexpected ?? 0) + (report.stats.flaky ?? 0)
  }
}
if (failedChecks.trim()) console.log(`checks failed: ${failedChecks.trim()}`)
if (reports === 0) {
  console.log('no test report was written')
  failed += 1
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 && !failedChecks.trim() ? 0 : 1)
