#!/usr/bin/env bash
# AWS tools from PyPI that the peer tests run against ThingBench; idempotent:
#   awscli        the AWS CLI v1 (botocore), a second AWS CLI beside Debian's v2 at /usr/bin/aws
#   moto[server]  moto_server, an AWS emulator that `thingbench provision --endpoint` is tested against
# Uses what the machine's Python already has (this project's machines ship both); otherwise installs
# them per user with pipx into ~/.local/bin, which must then be on PATH. Where neither works (no PyPI),
# it says so and the peer tests fail under CI naming what is missing.
set -uo pipefail
export PIPX_BIN_DIR="${PIPX_BIN_DIR:-$HOME/.local/bin}"
export PATH="$PIPX_BIN_DIR:$PATH"

has_aws_v1() {
  local cli
  for cli in $(which -a aws 2>/dev/null); do
    "$cli" --version 2>&1 | grep -q '^aws-cli/1\.' && return 0
  done
  return 1
}

missing=()
has_aws_v1 || missing+=(awscli)
command -v moto_server >/dev/null || missing+=('moto[server]')
if [ ${#missing[@]} -eq 0 ]; then
  echo "Python peers found: $(command -v moto_server), AWS CLI v1 on PATH"
  exit 0
fi
if ! command -v pipx >/dev/null; then
  echo "Missing ${missing[*]} and no pipx to install them (apt-get install pipx, or pip install ${missing[*]})" >&2
  exit 0
fi
for package in "${missing[@]}"; do
  pipx install --quiet "$package" || echo "Could not install $package with pipx (is PyPI reachable?)" >&2
done
