#!/usr/bin/env bash
# Every check and test ThingBench has: lint (incl. the import boundaries), type checks of the Node
# and web code, the build, then the test runners (vitest, then Playwright in Chromium) inside a private D-Bus session with a real
# Secret Service. Ends with one line: "N passed, N failed" (totals over every runner).
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${THINGBENCH_IN_KEYRING_SESSION:-}" ]; then
  exec scripts/with-keyring.sh bash scripts/test.sh "$@"
fi

failed_checks=()
run_check() {
  local name=$1; shift
  echo "::: $name"
  "$@" || failed_checks+=("$name")
}
run_check lint npx eslint --max-warnings 0 .
run_check typecheck:node npx tsc --noEmit -p tsconfig.node.json
run_check typecheck:web npm run -s typecheck:web
run_check build npx electron-vite build

results=$(mktemp -d)
echo "::: vitest"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json" "$@"
vitest_status=$?

# The UI end to end in Debian's Chromium against `thingbench serve` (needs the build above).
echo "::: playwright"
PLAYWRIGHT_JSON_OUTPUT_NAME="$results/playwright.json" npx playwright test
playwright_status=$?
# A run that died before reporting still counts as a failure.
[ -s "$results/playwright.json" ] || echo '{"stats":{"expected":0,"unexpected":1}}' > "$results/playwright.json"

node scripts/summarize-tests.mjs "$results" "${failed_checks[*]}"
summary_status=$?
[ $vitest_status -eq 0 ] && [ $playwright_status -eq 0 ] && [ $summary_status -eq 0 ] && [ ${#failed_checks[@]} -eq 0 ]
