#!/usr/bin/env bash
# Builds orch with the sanitizers and runs the fast suites under them (.ci/run calls it after
# tools/test.sh, whose build/ it reuses for the worker of the ThreadSanitizer run):
#   build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer on the front end, the worker (every
#                algorithm) and the unit suite, which runs with every report fatal, in every
#                process it starts.
#   build-tsan/  ThreadSanitizer on the front end (the TBB launcher, progress display, signal
#                handling); the launcher and sweep tests run against it.
# Each lives in a directory of its own (the LibTorch targets are unity builds already); the JUnit
# logs land in build-asan/meson-logs/ and build-tsan/tsan.xml for tools/count_tests.py.
# Usage: tools/sanitize.sh [asan|tsan]   (both by default)
set -euo pipefail
cd "$(dirname "$0")/.."

what="${1:-all}"
status=0
# verify_asan_link_order=0: the disk-full fault tests LD_PRELOAD their shim ahead of the runtime
export ASAN_OPTIONS="detect_leaks=0:verify_asan_link_order=0:abort_on_error=0:halt_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:suppressions=$PWD/tools/tsan.supp"

if [[ "$what" == all || "$what" == asan ]]; then
  if [[ ! -f build-asan/build.ninja ]]; then
    meson setup build-asan --buildtype=debugoptimized -Db_sanitize=address,undefined \
      -Db_lundef=false
  fi
  # the fast suite and what it runs (the CLI tests drive every algorithm through the worker);
  # the benches and the LibTorch unit suite would double the build for little more coverage
  ninja -C build-asan src/app/orch src/app/orch-worker tests/orch_tests \
    tests/libdisk_full_preload.so
  meson test -C build-asan --no-rebuild --print-errorlogs --timeout-multiplier 4 unit || status=1
fi

if [[ "$what" == all || "$what" == tsan ]]; then
  if [[ ! -f build-tsan/build.ninja ]]; then
    meson setup build-tsan --buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false
  fi
  ninja -C build-tsan src/app/orch tests/orch_tests tests/libdisk_full_preload.so
  # the worker is the ordinary build's: ThreadSanitizer watches the launcher's threads
  [[ -x build/src/app/orch-worker ]] || tools/build.sh src/app/orch-worker
  ORCH_WORKER="$PWD/build/src/app/orch-worker" build-tsan/tests/orch_tests \
    --gtest_filter='SweepTest.*:RunTest.*:FaultTest.TwoLaunchers*:FaultTest.CtrlC*' \
    --gtest_output="xml:build-tsan/tsan.xml" || status=1
fi
exit "$status"
