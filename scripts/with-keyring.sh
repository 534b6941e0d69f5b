#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked, throwaway gnome-keyring
# (a real Secret Service), so tests use the same keychain path as a Linux desktop.
set -euo pipefail
if [ -z "${THINGBENCH_IN_KEYRING_SESSION:-}" ]; then
  command -v dbus-run-session >/dev/null || { echo "dbus-run-session not found: run scripts/install-linux-deps.sh" >&2; exit 2; }
  command -v gnome-keyring-daemon >/dev/null || { echo "gnome-keyring-daemon not found: run scripts/install-linux-deps.sh" >&2; exit 2; }
  exec env THINGBENCH_IN_KEYRING_SESSION=1 dbus-run-session -- bash "$0" "$@"
fi
keyring_home=$(mktemp -d)
export XDG_DATA_HOME="$keyring_home"
# --unlock reads the new login keyring's password from stdin (empty here).
printf '\n' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
"$@"
