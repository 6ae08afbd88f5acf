#!/usr/bin/env bash
# The whole hall on this machine: hub + kiosk + two callers + display, on simulated hardware.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec python3 -m hub.cli demo "$@"
