#!/usr/bin/env bash
# Every check and test ThingBench has: lint (incl. the import boundaries), type checks of the Node
# and web code, the build, then the test runners (vitest, then Playwright in Chromium) inside a private D-Bus session with a real
# Secret Service. Ends with one line: "N passed, N failed, N skipped" (totals over every runner; a
# failed check counts as one failed).
set -uo pipefail
cd "$(dirname "$0")/.."
# What passes here must be what runs inside Electron 45, whose Node is 24: npm ci installs Node 24
# (the `node` devDependency) and `npm test` puts it first on PATH.
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)' || {
  echo "ThingBench's tests run on Node 24 (this is $(node --version)): run them with \`npm test\` after \`npm ci\`." >&2
  exit 1
}
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
