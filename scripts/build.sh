#!/usr/bin/env bash
# Configures and builds one flavour of itrade: release (default), asan, bench or fuzz.
# Usage: scripts/build.sh [release|asan|bench|fuzz]
set -euo pipefail
cd "$(dirname "$0")/.."

flavour="${1:-release}"
jobs="${ITRADE_JOBS:-$(nproc)}"
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  # -O1 -g1: half the compile time of -O2 -g (the ASan build is most of CI's time), with line
  # tables for the sanitizers' stack traces.
  asan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DITRADE_SANITIZE=ON "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG") ;;
  bench) args=(-DCMAKE_BUILD_TYPE=Release -DITRADE_BENCH=ON -DITRADE_TESTS=OFF) ;;
  fuzz) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DITRADE_FUZZ=ON -DITRADE_TESTS=OFF -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "usage: $0 [release|asan|bench|fuzz]" >&2; exit 2 ;;
esac
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" >/dev/null
cmake --build "build/$flavour" -j "$jobs"
