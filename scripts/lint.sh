#!/usr/bin/env bash
# Runs clang-tidy (checks in .clang-tidy) over the library, CLI, bench and
# fuzz sources, using the release build's compile_commands.json. Fails on
# any warning.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/release/compile_commands.json ] || cmake --preset release >/dev/null
mapfile -t files < <(git ls-files -co --exclude-standard -- 'src/*.cc' 'bench/*.cc' |
  grep -v '_test.cc$')
clang-tidy -p build/release --quiet --warnings-as-errors='*' "${files[@]}" 2>/dev/null
echo "lint: ${#files[@]} files clean"
