#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs the CSV parser fuzzer.
# Usage: scripts/fuzz.sh [seconds]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh --fuzz
scripts/build.sh fuzz
corpus=build/fuzz/corpus
mkdir -p "$corpus"
cp tests/fixtures/csv/* "$corpus/" 2>/dev/null || true
build/fuzz/fuzz/fuzz_csv_parser -max_total_time="${1:-60}" -print_final_stats=1 "$corpus"
