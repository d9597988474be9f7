#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium at /usr/bin/chromium for the gate's browser test
# (test/gate/browser.test.ts drives it with playwright-core). Idempotent: does nothing when
# chromium is already there. Needs root (or sudo) and apt; on other systems it says so and exits
# 0, and the browser test then skips with a message naming this script.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no apt-get here; install Chromium at /usr/bin/chromium by hand" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-chromium: not root and no sudo; cannot install chromium" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "install-chromium: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
