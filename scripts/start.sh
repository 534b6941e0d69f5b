#!/usr/bin/env bash
# One command from a fresh checkout to a running ThingBench: installs the dependencies, builds,
# and starts the app (Electron, or the browser mode where there is no Electron binary) with the
# Local IoT Core as its default connection.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# Headless Linux without a desktop session: run inside a private D-Bus session with the user's own
# (persistent) gnome-keyring, so the vault has a real Secret Service.
if [ "$(uname)" = Linux ] && [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${THINGBENCH_IN_KEYRING_SESSION:-}" ] \
  && command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  exec env THINGBENCH_IN_KEYRING_SESSION=1 dbus-run-session -- bash -c \
    'printf "\n" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec bash scripts/start.sh "$@"' start "$@"
fi

npx electron-vite build
if node -e "require('electron')" >/dev/null 2>&1; then
  exec npx electron .
fi
echo "No Electron binary is installed here (ELECTRON_SKIP_BINARY_DOWNLOAD): starting the browser mode instead." >&2
echo "Open the URL it prints (token included); the Local IoT Core is the default connection." >&2
exec node bin/thingbench.mjs serve --open "$@"
