#!/usr/bin/env bash
# Installs every Debian package Rempart's build needs (only the missing
# ones, non-interactively) and builds the release preset.
#
#   scripts/setup.sh            packages + the browser's WebAssembly module
#                               (scripts/wasm.sh) + release build
#   scripts/setup.sh --deps     packages only (the WebAssembly toolchain and
#                               its Debian sources come with scripts/wasm.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # Toolchain
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  clang-format clang-tidy
  # Codecs (media layer)
  libjpeg62-turbo-dev libpng-dev libwebp-dev libheif-dev libgif-dev
  libtiff-dev libstb-dev
  # Video (media layer; the ffmpeg command makes the test clips)
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev ffmpeg
  # Digests (hash layer)
  nettle-dev
  # Robustness evaluation (eval layer: picture transforms)
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  # Banks (store layer)
  libsqlite3-dev
  # Service (rempart serve) and its load tests
  libboost-dev libsodium-dev libspdlog-dev libtomlplusplus-dev wrk curl
  # CLI and tests
  libcli11-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  # End-to-end tests of the web pages (playwright-core drives this browser)
  chromium
)
# Node.js and npm run the browser tests; machines that already have them
# (from any source) keep their own.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all build packages present"
fi

if [ "${1:-}" = "--deps" ]; then exit 0; fi

scripts/wasm.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
echo "setup: built build/release/rempart and its web pages (build/release/web)"
