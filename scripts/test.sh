#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, builds with AddressSanitizer
# and UndefinedBehaviorSanitizer, and runs the whole GoogleTest suite through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
scripts/build.sh asan
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir build/asan --output-on-failure -j "${ITRADE_JOBS:-$(nproc)}"
