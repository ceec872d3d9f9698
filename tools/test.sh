#!/usr/bin/env bash
# Builds orch and runs every test suite, then prints the counts per test case:
#   100% tests passed, 0 tests failed out of N
#   N passed, 0 failed
# Exits non-zero when anything failed. Extra arguments go to `meson test` (e.g. --suite unit).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/build.sh
status=0
meson test -C build --no-rebuild --print-errorlogs "$@" || status=$?
/usr/bin/python3 tools/count_tests.py build/meson-logs/testlog.junit.xml || status=$?
exit "$status"
