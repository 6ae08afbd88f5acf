#!/usr/bin/env bash
# Installs what HallQ needs on a Debian/Ubuntu machine: system libraries for Qt, a CJK font,
# the Mandarin voice (espeak-ng), and the Python package. `--test` adds the test tools
# (Chromium for the web page tests, PostgreSQL for the region's). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

debs=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4
      libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0
      fonts-noto-cjk espeak-ng alsa-utils)
[ $want_tests = 1 ] && debs+=(chromium socat sox postgresql)

if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for d in "${debs[@]}"; do dpkg -s "$d" >/dev/null 2>&1 || missing+=("$d"); done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" != 0 ] && sudo="sudo"
    echo "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
else
  echo "note: not a Debian system; install a CJK font, espeak-ng (or use the shipped clips) and, for tests, Chromium yourself"
fi

extras="region"
[ $want_tests = 1 ] && extras="test,region"
python3 -m pip install -q --disable-pip-version-check -e ".[$extras]"
