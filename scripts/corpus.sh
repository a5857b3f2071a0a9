#!/usr/bin/env bash
# Builds the photo corpus of the robustness evaluation (`rempart eval DIR`):
# about 370 photographs (368 today) taken from Debian packages, as flat files plus
# DIR/MANIFEST.tsv. The corpus is made on each machine and never committed;
# docs/CORPUS.md gives the selection rules and the licences.
#
#   scripts/corpus.sh [DIR]               install the missing packages, then
#                                         (re)build DIR (default build/corpus)
#   scripts/corpus.sh --no-install [DIR]  packages already present: no apt
#   scripts/corpus.sh --check [DIR]       also list pairs of photos with close
#                                         PDQ hashes (needs build/release/rempart)
set -euo pipefail
cd "$(dirname "$0")/.."

install=1
check=0
dir=build/corpus
dir_given=0
for arg in "$@"; do
  case "$arg" in
    --no-install) install=0 ;;
    --check) check=1 ;;
    -h | --help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "corpus: unknown option $arg (see --help)" >&2; exit 2 ;;
    *)
      if ((dir_given)); then echo "corpus: one DIR only" >&2; exit 2; fi
      dir=$arg
      dir_given=1
      ;;
  esac
done

packages=(
  gcompris-qt-data
  lomiri-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04
  mate-backgrounds plasma-workspace-wallpapers lxqt-themes
  opencv-doc python3-skimage
)

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for package in "${packages[@]}"; do
  if ! installed "$package"; then missing+=("$package"); fi
done
if ((${#missing[@]})) && ((install)); then
  echo "corpus: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  missing=()
  for package in "${packages[@]}"; do
    if ! installed "$package"; then missing+=("$package"); fi
  done
fi
if ((${#missing[@]})); then
  echo "corpus: error: missing packages: ${missing[*]}" >&2
  if ! ((install)); then echo "corpus: run without --no-install to install them" >&2; fi
  exit 1
fi

if ! command -v python3 >/dev/null; then
  echo "corpus: error: python3 is needed (apt-get install python3)" >&2
  exit 1
fi
python3 scripts/corpus/build.py "$dir"

if ((check)); then
  python3 scripts/corpus/near_duplicates.py "$dir"
fi
