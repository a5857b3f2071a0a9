#!/usr/bin/env bash
# End-to-end tests: Debian's Chromium, driven by playwright-core, against a
# real `rempart serve` on loopback (each test file starts its own).
#
#   tests/e2e/run.sh [BUILD_DIR]          default build/release
#   REMPART_SCREENSHOTS=docs/screens tests/e2e/run.sh   also write screenshots
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(cd "$root" && realpath "${1:-build/release}")"

fail() { echo "e2e: $*" >&2; exit 1; }
[ -x "$build/rempart" ] || fail "no $build/rempart: build first (scripts/setup.sh)"
[ -x "${REMPART_CHROMIUM:-/usr/bin/chromium}" ] || fail "no Chromium: apt-get install chromium (scripts/setup.sh --deps does)"
[ -f "$build/web/wasm/rempart-hash.wasm" ] ||
  fail "no WebAssembly module in $build/web/wasm: run scripts/wasm.sh, then rebuild"

# playwright-core exactly as package-lock.json pins it; no browser download.
if ! cmp -s "$here/package-lock.json" "$here/node_modules/.rempart-lock" 2>/dev/null; then
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$here/node_modules/.rempart-lock"
fi

if [ -n "${REMPART_SCREENSHOTS:-}" ]; then
  REMPART_SCREENSHOTS="$(mkdir -p "$REMPART_SCREENSHOTS" && cd "$REMPART_SCREENSHOTS" && pwd)"
  export REMPART_SCREENSHOTS
fi
export REMPART_BUILD_DIR="$build"
export REMPART_SHARED_DIR="${REMPART_SHARED_DIR:-$root/../shared}"
cd "$here"
exec node --test --test-concurrency=1 --test-reporter=spec ./*.test.mjs
