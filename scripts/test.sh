#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine, then run lint, types and tests.
# Usage: ./scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium for the browser tests (never `playwright install`).
sh .ci/install-chromium.sh
# FreeDict English-Arabic for the dictionary leg (optional at run time).
sh .ci/install-dictionary.sh

# The project with every extra. torch is pinned to the CPU build (an unpinned torch pulls CUDA);
# llama-cpp-python[server] compiles once (~10-15 min on 2 cores), then pip reuses the wheel.
[[ -x .venv/bin/python ]] || python3 -m venv .venv
pip_install() {  # quiet unless it fails
    .venv/bin/python -m pip install -q "$@" >.venv/pip.log 2>&1 || { cat .venv/pip.log; exit 1; }
}
pip_install --upgrade pip
pip_install -e '.[st,llm,ui,dev]' 

.venv/bin/ruff check assistant index tests
.venv/bin/mypy assistant index
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
