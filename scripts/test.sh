#!/usr/bin/env bash
# Every test: unit, end-to-end against a real hub, Qt offscreen, web pages in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export QT_QPA_PLATFORM=offscreen
exec python3 -m pytest -q -p no:cacheprovider "$@"
