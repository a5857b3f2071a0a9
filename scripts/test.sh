#!/usr/bin/env bash
# Runs every test: format check, the browser's WebAssembly module, the
# release build's tests, clang-tidy, the end-to-end tests of the web pages in
# Chromium, the same unit tests under AddressSanitizer + UBSan, and a short
# smoke run of each fuzz target.
#
#   scripts/test.sh              everything
#   scripts/test.sh --quick      up to the end-to-end tests (no sanitizers,
#                                no fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

echo "== format"
scripts/format.sh --check

echo "== webassembly module (scripts/wasm.sh)"
scripts/wasm.sh

echo "== release build and tests"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
ctest --preset release

echo "== clang-tidy"
scripts/lint.sh

echo "== end-to-end: web pages in Chromium against rempart serve"
tests/e2e/run.sh build/release

if [ "${1:-}" = "--quick" ]; then exit 0; fi

echo "== asan+ubsan build and tests"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --preset asan

echo "== fuzz smoke"
scripts/fuzz.sh --smoke
