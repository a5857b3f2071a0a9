#!/usr/bin/env bash
# The robustness evaluation end to end: builds the photo corpus from Debian
# packages (scripts/corpus.sh; never committed), builds the release preset
# if needed, runs `rempart eval` over the corpus and writes the report to
# build/eval (report.html, report.json; the table on standard output).
#
#   scripts/eval.sh             the whole corpus, every transform
#   scripts/eval.sh --docs      also refresh docs/robustness/ (the HTML
#                               report and its two main charts as SVG files)
#   scripts/eval.sh -- ARGS     extra arguments for rempart eval
#                               (e.g. -- --limit 50 --transform crop-25)
set -euo pipefail
cd "$(dirname "$0")/.."

docs=0
extra=()
while (($#)); do
  case "$1" in
    --docs) docs=1 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "usage: scripts/eval.sh [--docs] [-- rempart eval arguments]" >&2; exit 2 ;;
  esac
  shift
done

scripts/corpus.sh build/corpus
if [ ! -x build/release/rempart ]; then
  cmake --preset release >/dev/null
fi
cmake --build --preset release -j "$(nproc)" --target rempart >/dev/null
build/release/rempart eval build/corpus --out build/eval "${extra[@]}"

if ((docs)); then
  mkdir -p docs/robustness
  cp build/eval/report.html docs/robustness/report.html
  python3 scripts/eval_svg.py build/eval/report.html docs/robustness
  echo "eval: refreshed docs/robustness/"
fi
