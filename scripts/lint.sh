#!/usr/bin/env bash
# Runs clang-tidy (checks in .clang-tidy) over the library and CLI sources,
# using the release build's compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
mapfile -t files < <(git ls-files -co --exclude-standard -- 'src/*.cc' | grep -v '_test.cc$')
run-clang-tidy -quiet -p build/release "${files[@]}" 2>/dev/null ||
  clang-tidy -p build/release --quiet "${files[@]}"
