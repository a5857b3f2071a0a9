#!/usr/bin/env bash
# Hashing benchmarks on real photos from Debian's wallpaper packages (never
# committed): installs them, links the large JPEGs into bench/photos, builds
# the release preset and runs, on one core each:
#   rempart_hash_bench      images/s for exact and fast modes, decode vs PDQ
#   rempart_fast_vs_exact   fast-vs-exact PDQ distance distribution + SVG
# Results: build/bench/*.json|txt, and docs/fast-vs-exact.svg.
#
#   scripts/bench.sh index   the match-index benchmark instead: installs
#       libfaiss-dev (optional: without it FAISS is left out), runs
#       rempart_index_bench over REMPART_INDEX_SIZES (default 1M and 10M;
#       add 100000000 on a machine with 24 GiB) and draws docs/index-qps.svg.
#
#   scripts/bench.sh video   video hashing instead: installs ffmpeg,
#       opencv-doc and visp-images-data, makes the clips in build/clips-bench
#       (bench/video/make_clips.sh; never committed), runs
#       rempart_video_bench on one core (x real time, exact and fast; match
#       percentages of re-encoded, resized, trimmed... copies and of
#       unrelated clips) and draws docs/video-speed.svg and
#       docs/video-match.svg. REMPART_BUILD_DIR=DIR builds there (Release)
#       instead of the release preset.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = index ]; then
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  dpkg-query -W -f='${Status}' libfaiss-dev 2>/dev/null | grep -q "install ok installed" ||
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
      --no-install-recommends libfaiss-dev python3 ||
    echo "bench: libfaiss-dev unavailable; benchmarking without FAISS"
  cmake --preset release >/dev/null
  cmake --build --preset release -j "$(nproc)" --target rempart_index_bench
  mkdir -p build/bench
  build/release/bench/rempart_index_bench \
    --sizes="${REMPART_INDEX_SIZES:-1000000,10000000}" \
    --benchmark_counters_tabular=true \
    --benchmark_out=build/bench/index_bench.json --benchmark_out_format=json |
    tee build/bench/index_bench.txt
  python3 bench/index_plot.py build/bench/index_bench.json docs/index-qps.svg
  exit 0
fi

if [ "${1:-}" = video ]; then
  missing=()
  for package in ffmpeg opencv-doc visp-images-data python3; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  if ((${#missing[@]})); then
    sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
      --no-install-recommends "${missing[@]}"
  fi
  build=${REMPART_BUILD_DIR:-build/release}
  if [ -n "${REMPART_BUILD_DIR:-}" ]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  else
    cmake --preset release >/dev/null
  fi
  cmake --build "$build" -j "$(nproc)" --target rempart_video_bench
  bench/video/make_clips.sh build/clips-bench
  mkdir -p build/bench
  taskset -c 0 "$build/bench/rempart_video_bench" --clips build/clips-bench \
    --out build/bench/video_bench.json | tee build/bench/video_bench.txt
  python3 bench/video_plot.py build/bench/video_bench.json docs
  exit 0
fi

wallpapers=(plasma-workspace-wallpapers mate-backgrounds lomiri-wallpapers-20.04)
missing=()
for package in "${wallpapers[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]})); then
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target rempart rempart_hash_bench rempart_fast_vs_exact

# One file per wallpaper (its largest rendition), JPEGs of at least 1 MP;
# sizes come from rempart itself.
rm -rf bench/photos && mkdir -p bench/photos
candidates=$(
  for dir in /usr/share/wallpapers/*/contents/images; do
    ls -S "$dir"/*.jpg 2>/dev/null | head -1 || true
  done
  find /usr/share/backgrounds -type f \( -iname '*.jpg' -o -iname '*.jpeg' \) 2>/dev/null || true
)
echo "$candidates" | sort -u | grep . | xargs build/release/rempart hash --format tsv -q |
  awk -F'\t' 'NR > 1 && $7 * $8 >= 1000000 { print $1 }' |
  while read -r photo; do ln -s "$photo" "bench/photos/$(echo "$photo" | tr '/' '_')"; done
echo "bench: $(ls bench/photos | wc -l) photos in bench/photos"

mkdir -p build/bench
taskset -c 0 build/release/bench/rempart_hash_bench --benchmark_min_time=2 \
  --benchmark_out=build/bench/hash_bench.json --benchmark_out_format=json
taskset -c 0 build/release/bench/rempart_fast_vs_exact --svg docs/fast-vs-exact.svg |
  tee build/bench/fast_vs_exact.txt
