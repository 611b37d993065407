#!/bin/sh
# FreeDict's English-Arabic dictionary (Debian, GPL-2+ data), read at run time by
# index/dictionary.py for the translated leg; never copied into the repository. Optional for
# users: without it the leg is empty and everything else works. Idempotent.
set -eu

if [ -f /usr/share/dictd/freedict-eng-ara.index ]; then
    echo "dictionary already installed: /usr/share/dictd/freedict-eng-ara"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "no apt-get: skipping the optional dictionary (the translated leg stays empty)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends dict-freedict-eng-ara
