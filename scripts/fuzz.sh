#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz", clang) and runs each one.
#
#   scripts/fuzz.sh --smoke          every target for a few seconds (CI)
#   scripts/fuzz.sh SECONDS [NAME]   every target (or one) for SECONDS each
#
# Seeds come from tests/fixtures/{media,interchange}, shared/conformance,
# the clips of tests/fixtures/video/make_clips.sh and fuzz/seeds/NAME (the
# HTTP parsers, patch signatures);
# the growing corpus is kept in build/fuzz/corpus/NAME; crashes land in
# build/fuzz/crashes.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
only=${2:-}
if [ "$seconds" = "--smoke" ]; then seconds=${REMPART_FUZZ_SMOKE_SECONDS:-5}; fi

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

shared=${REMPART_SHARED_DIR:-../shared}
seed_dir() {  # Seeds for a target: fixtures, conformance images or hashes.
  local name=$1 dir=build/fuzz/seeds/$1
  mkdir -p "$dir"
  if [ "$name" = hex ]; then
    cut -f5 "$shared/conformance/pdq/expected/reference-debian12.tsv" | head -20 |
      while read -r h; do printf '%s' "$h" >"$dir/$h"; done
    # vPDQ text (the reference's sample output) goes through the same target.
    cp -n "$shared"/conformance/pdq/video/*1s.debian12.txt "$dir/"
  elif [ "$name" = interchange ]; then
    # The first byte picks the reader's options (fuzz/interchange_fuzzer.cc).
    for f in tests/fixtures/interchange/*; do
      { printf '\000'; cat "$f"; } >"$dir/$(basename "$f")"
    done
    # Seeds that already start with their selector byte (videos among them).
    cp -n fuzz/seeds/interchange/* "$dir/"
  elif [ "$name" = video ]; then
    # Small clips in every accepted container (made, never committed).
    tests/fixtures/video/make_clips.sh build/fuzz/clips >/dev/null
    find build/fuzz/clips -type f -size -200k -exec cp -n {} "$dir/" \;
  elif [ -d "fuzz/seeds/$name" ]; then
    cp -n fuzz/seeds/"$name"/* "$dir/"
  else
    find tests/fixtures/media "$shared/conformance/pdq/images" -type f -size -200k \
      -exec cp -n {} "$dir/" \; 2>/dev/null || true
  fi
  echo "$dir"
}

mkdir -p build/fuzz/crashes
run_one() {  # Runs one target; prints its stats or its failure.
  local target=$1 name=$2
  local corpus=build/fuzz/corpus/$name seeds
  mkdir -p "$corpus"
  seeds=$(seed_dir "$name")
  if "$target" "$corpus" "$seeds" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=4096 -max_len=262144 -print_final_stats=1 \
      -artifact_prefix="build/fuzz/crashes/$name-" >"build/fuzz/$name.log" 2>&1; then
    echo "fuzz: $name ${seconds}s ok:" \
      "$(grep -E 'stat::number_of_executed_units' "build/fuzz/$name.log" | awk '{print $2}') runs," \
      "corpus $(ls "$corpus" | wc -l) inputs"
  else
    echo "fuzz: $name FAILED; see build/fuzz/$name.log"
    tail -40 "build/fuzz/$name.log"
    return 1
  fi
}

# One target per core at a time.
status=0
running=0
for target in build/fuzz/fuzz/fuzz_*; do
  name=$(basename "$target")
  name=${name#fuzz_}; name=${name#decode_}
  if [ -n "$only" ] && [ "$only" != "$name" ]; then continue; fi
  run_one "$target" "$name" &
  running=$((running + 1))
  if [ "$running" -ge "$(nproc)" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
