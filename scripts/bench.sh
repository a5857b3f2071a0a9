#!/usr/bin/env bash
# Hashing benchmarks on real photos from Debian's wallpaper packages (never
# committed): installs them, links the large JPEGs into bench/photos, builds
# the release preset and runs, on one core each:
#   rempart_hash_bench      images/s for exact and fast modes, decode vs PDQ
#   rempart_fast_vs_exact   fast-vs-exact PDQ distance distribution + SVG
# Results: build/bench/*.json|txt, and docs/fast-vs-exact.svg.
set -euo pipefail
cd "$(dirname "$0")/.."

wallpapers=(plasma-workspace-wallpapers mate-backgrounds lomiri-wallpapers-20.04)
missing=()
for package in "${wallpapers[@]}" imagemagick; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if ((${#missing[@]})); then
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# One file per wallpaper (the largest rendition), JPEGs of at least 1 MP.
rm -rf bench/photos && mkdir -p bench/photos
{
  for dir in /usr/share/wallpapers/*/contents/images; do
    ls -S "$dir"/*.jpg 2>/dev/null | head -1
  done
  find /usr/share/backgrounds -type f \( -iname '*.jpg' -o -iname '*.jpeg' \)
} | sort -u | while read -r photo; do
  pixels=$(identify -format '%[fx:w*h]' "$photo[0]" 2>/dev/null || echo 0)
  if [ "${pixels%.*}" -ge 1000000 ]; then
    ln -s "$photo" "bench/photos/$(echo "$photo" | tr '/' '_')"
  fi
done
count=$(ls bench/photos | wc -l)
echo "bench: $count photos in bench/photos"

cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target rempart_hash_bench rempart_fast_vs_exact
mkdir -p build/bench
taskset -c 0 build/release/bench/rempart_hash_bench --benchmark_min_time=2 \
  --benchmark_out=build/bench/hash_bench.json --benchmark_out_format=json
taskset -c 0 build/release/bench/rempart_fast_vs_exact --svg docs/fast-vs-exact.svg |
  tee build/bench/fast_vs_exact.txt
