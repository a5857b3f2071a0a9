#!/usr/bin/env bash
# How densely a bank's videos should be hashed: for each sampling step of the
# bank side (--every), hashes the benchmark's originals into a fresh bank and
# counts, per kind of copy, how many copies (hashed at the default one frame
# per second) match at the default thresholds. Clips from
# bench/video/make_clips.sh (scripts/bench.sh video makes them).
#
#   bench/video/bank_density.sh [CLIPS_DIR] [REMPART_BINARY]
set -euo pipefail
cd "$(dirname "$0")/../.."
clips=${1:-build/clips-bench}
rempart=${2:-build/release/rempart}
copies=(trim-middle trim-middle-whole-s trim-first-10s reencode-crf32 downscale watermark)

for every in 1 0.5; do
  data=$(mktemp -d)
  trap 'rm -rf "$data"' EXIT
  "$rempart" bank create videos --data "$data" >/dev/null
  for original in "$clips"/originals/*.mp4; do
    "$rempart" hash --every "$every" --format tsv -q "$original" >"$data/list.tsv"
    "$rempart" bank import videos "$data/list.tsv" -q --data "$data" 2>/dev/null
  done
  line="bank hashed --every $every:"
  for copy in "${copies[@]}"; do
    total=0 matched=0
    for original in "$clips"/originals/*.mp4; do
      name=$(basename "$original" .mp4)
      file=$(ls "$clips/variants/$name/$copy".* 2>/dev/null | head -1) || true
      [ -n "$file" ] || continue
      total=$((total + 1))
      if "$rempart" match -q --format tsv "$file" --data "$data" |
        awk -F'\t' '$4 == "vpdq"' | grep -q .; then
        matched=$((matched + 1))
      fi
    done
    line+="  $copy $matched/$total"
  done
  echo "$line"
  rm -rf "$data"
  trap - EXIT
done
