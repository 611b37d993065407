#!/bin/sh
# Debian's Chromium for the browser tests (tests/test_ui_browser.py). Never `playwright install`:
# the tests drive /usr/bin/chromium. Idempotent: does nothing when it is already installed.
set -eu

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium fonts-noto-core
/usr/bin/chromium --version
