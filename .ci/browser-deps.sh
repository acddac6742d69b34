#!/usr/bin/env bash
# Installs what the browser tests (crates/qrlogin-e2e) drive: Debian's own `chromium`
# and `chromium-driver`, only when one of them is missing. Never a browser or driver
# from anywhere else. Called by .ci/run before `cargo test`; safe to run again.
set -euo pipefail

if [ -x /usr/bin/chromium ] && command -v chromedriver >/dev/null 2>&1; then
  echo "browser-deps: $(/usr/bin/chromium --version 2>/dev/null | head -n1); $(chromedriver --version | head -n1)"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq chromium chromium-driver fonts-liberation fonts-dejavu-core >/dev/null
echo "browser-deps: installed $(/usr/bin/chromium --version 2>/dev/null | head -n1); $(chromedriver --version | head -n1)"
