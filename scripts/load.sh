#!/usr/bin/env bash
# Load test of `rempart serve` on this machine, server and load generator
# side by side (docs/PERFORMANCE.md, "The service under load"):
#   1. a bank of ENTRIES random PDQ hashes (imported once, then reused from
#      build/load/), a platform key, a 1-megapixel JPEG made here;
#   2. wrk over keep-alive connections: single-hash match requests,
#      100-hash batches, and 1 MP JPEG uploads to /v1/hash-match;
#   3. a soak: single-hash load for REMPART_SOAK_SECONDS while the server's
#      memory (RSS) is sampled every 10 s, then drawn in docs/service-soak.svg.
#
#   scripts/load.sh [ENTRIES]       default 10000000
# Environment: REMPART_LOAD_SECONDS (30), REMPART_SOAK_SECONDS (600),
# REMPART_LOAD_CONNECTIONS (32). Results: build/load/results.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-10000000}
seconds=${REMPART_LOAD_SECONDS:-30}
soak=${REMPART_SOAK_SECONDS:-600}
connections=${REMPART_LOAD_CONNECTIONS:-32}
port=18080
url=http://127.0.0.1:$port

for tool in wrk:wrk cjpeg:libjpeg-turbo-progs curl:curl; do
  command -v "${tool%%:*}" >/dev/null || {
    sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
      --no-install-recommends "${tool#*:}"
  }
done
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target rempart
rempart=build/release/rempart
mkdir -p build/load
data=build/load/data-$entries
if [ ! -f "$data/ready" ]; then
  rm -rf "$data"
  echo "load: making a bank of $entries hashes"
  python3 bench/load/make_list.py "$entries" >build/load/list.txt
  "$rempart" bank create load --data "$data" >/dev/null
  "$rempart" bank import load build/load/list.txt --data "$data" \
    --source-org "load test" --category intimate_image
  "$rempart" bank snapshot --data "$data"
  rm -f build/load/list.txt
  touch "$data/ready"
fi
key=$("$rempart" key create --data "$data" --name "load test" --role platform \
  --rate 1000000 2>/dev/null)
export REMPART_KEY=$key
[ -f build/load/photo-1mp.jpg ] ||
  python3 bench/load/make_photo.py | cjpeg -quality 90 >build/load/photo-1mp.jpg
export REMPART_JPEG=build/load/photo-1mp.jpg

"$rempart" serve --data "$data" --listen "127.0.0.1:$port" --log-level warn \
  >build/load/serve.log 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' EXIT
started=$(date +%s.%N)
until curl -sf "$url/readyz" >/dev/null; do
  kill -0 $server 2>/dev/null || { cat build/load/serve.log; exit 1; }
  sleep 0.2
done
ready=$(date +%s.%N)
rss() { awk '/VmRSS/ { print $2 }' "/proc/$server/status"; }
results=build/load/results.txt
{
  echo "entries: $entries   machine: $(nproc) cores   $(date -u +%FT%TZ)"
  printf 'start-up to ready: %.1f s\n' "$(echo "$ready - $started" | bc)"
  echo "RSS at rest: $(rss) kB"
} | tee "$results"

run() {  # name, connections, script, hashes per request
  echo "== $1 (wrk -t1 -c$2 -d${seconds}s)" | tee -a "$results"
  REMPART_BATCH=${4:-1} wrk -t1 -c"$2" -d"${seconds}s" --latency -s "bench/load/$3" "$url" |
    tee -a "$results"
  echo "RSS under load: $(rss) kB" | tee -a "$results"
}
run "single-hash match" "$connections" match.lua
run "100-hash batches" 8 match.lua 100
run "1 MP JPEG hash-and-match" 4 hash_match.lua

if [ "$soak" -gt 0 ]; then
  echo "== soak: single-hash load for ${soak}s, RSS every 10 s" | tee -a "$results"
  wrk -t1 -c"$connections" -d"${soak}s" -s bench/load/match.lua "$url" \
    >build/load/soak-wrk.txt &
  load=$!
  : >build/load/soak-rss.tsv
  for ((t = 0; t <= soak; t += 10)); do
    echo -e "$t\t$(rss)" >>build/load/soak-rss.tsv
    sleep 10
  done
  wait $load || true
  cat build/load/soak-wrk.txt >>"$results"
  python3 bench/load/soak_plot.py build/load/soak-rss.tsv docs/service-soak.svg |
    tee -a "$results"
fi
kill -TERM $server
wait $server || true
trap - EXIT
echo "load: shut down cleanly; results in $results"
