// Adds up the JSON reports of every test runner in a directory and prints the closing line
// "N passed, N failed, N skipped", alone on the last line (CI reads it). Checks that failed (lint,
// type checks, build), given as the second argument, are listed before it and count as failed.
//   node scripts/summarize-tests.mjs <report dir> "<failed check names, space-separated>"
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const [dir, failedChecksText = ''] = process.argv.slice(2)
const failedChecks = failedChecksText.split(/\s+/).filter(Boolean)
let passed = 0
let failed = failedChecks.length
let skipped = 0
let reports = 0
for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(join(dir, file), 'utf8'))
  reports++
  if (typeof report.numPassedTests === 'number') {
    // vitest (jest-compatible JSON): skipped tests are "pending"; todo tests do not run either.
    passed += report.numPassedTests
    failed += report.numFailedTests
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
    if (report.success === false && report.numFailedTests === 0) failed += 1 // a suite that failed to load
  } else if (report.stats) {
    // Playwright JSON reporter
    passed += report.stats.expected ?? 0
    failed += (report.stats.unexpected ?? 0) + (report.stats.flaky ?? 0)
    skipped += report.stats.skipped ?? 0
  }
}
if (failedChecks.length) console.log(`checks failed: ${failedChecks.join(' ')}`)
if (reports === 0) {
  console.log('no test report was written')
  failed += 1
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed === 0 ? 0 : 1)
