#!/usr/bin/env bash
# Debian/Ubuntu packages the tests need; idempotent. Run as root (or with sudo).
#   dbus, gnome-keyring  a real Secret Service for the vault's master key
#   socat                virtual serial port pairs for the serial tests
#   awscli               the AWS CLI, to check that the Local IoT Core speaks AWS's wire format
#   chromium             the browser the UI tests drive through Playwright
#   openssl              reads and makes certificates and CSRs, to check the Local IoT Core's CA against it
#   mosquitto-clients    mosquitto_pub/sub with device certificates, to check the Local IoT Core's broker
# CI runs every test: a test whose tool is missing fails there instead of being skipped.
set -euo pipefail
packages=(dbus gnome-keyring socat awscli chromium openssl mosquitto-clients)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "Linux test packages already installed: ${packages[*]}"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
