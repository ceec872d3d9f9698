#!/usr/bin/env bash
# Configures (once) and builds orch into build/. Extra arguments go to ninja.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -f build/build.ninja ]]; then
  meson setup build --buildtype=debugoptimized
fi
ninja -C build "$@"
