#!/usr/bin/env bash
# Builds the browser's hashing module: Rempart's core, media and hash layers
# and every codec library they call, compiled to WebAssembly with Debian's
# emscripten, so the browser computes exactly what `rempart hash` computes.
#
#   scripts/wasm.sh             build (or bring up to date) build/wasm/dist/
#   scripts/wasm.sh --clean     start over: sources, dependencies, project
#
# Nothing is downloaded except Debian packages: the codec libraries are
# Debian's own source packages (`apt-get source`, the same version as the
# installed native library when there is one), patched as Debian patches
# them and built static for wasm32 into build/wasm/deps. Emscripten's "ports"
# (-sUSE_LIBPNG and friends) fetch from the internet and are never used.
# Each dependency is built once: a stamp names its Debian version and the
# recipe, so a second run only rebuilds Rempart's own code.
#
# Layout (all under build/wasm, never committed):
#   src/    extracted Debian sources     deps/   the wasm32 prefix
#   logs/   one log per step             project/  Rempart's CMake build
#   dist/   rempart-hash.js + rempart-hash.wasm (docs/BROWSER.md)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WASM=$ROOT/build/wasm
SRC=$WASM/src
DEPS=$WASM/deps
LOGS=$WASM/logs
WORK=$WASM/work
DIST=$WASM/dist
JOBS=$(nproc)
# Bump when a recipe below changes, to rebuild the dependencies (RECIPE for
# all of them, a library's entry for that one).
RECIPE=4
declare -A RECIPES=([libheif]=2)

say() { printf 'wasm: %s\n' "$*"; }
die() {
  printf 'wasm: error: %s\n' "$*" >&2
  exit 1
}
# run LOG CMD...: runs CMD with its output in logs/LOG.log; on failure shows
# the end of that log and stops.
run() {
  local log=$LOGS/$1.log
  shift
  if ! "$@" >>"$log" 2>&1; then
    printf 'wasm: error: %s failed; last lines of %s:\n' "$*" "$log" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
}

if [ "${1:-}" = "--clean" ]; then
  rm -rf "$SRC" "$DEPS" "$WORK" "$LOGS" "$WASM/project"
  shift
fi
[ $# -eq 0 ] || die "usage: scripts/wasm.sh [--clean]"
started=$(date +%s)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
apt_get() {
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get \
    -o DPkg::Lock::Timeout=600 "$@"
}

# --- 1. Debian packages -----------------------------------------------------
packages=(emscripten binaryen nodejs dpkg-dev cmake ninja-build pkg-config
  make libstb-dev)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
    grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
mkdir -p "$LOGS" "$SRC/downloads" "$DEPS/stamps" "$WORK" "$DIST"
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  run apt apt_get update -qq
  run apt apt_get install -y -qq --no-install-recommends "${missing[@]}"
fi
say "packages: present (emscripten $(dpkg-query -W -f='${Version}' emscripten))"

# --- 2. A deb-src entry, so that apt-get source works -----------------------
have_deb_src() {
  grep -qsE '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list \
    /etc/apt/sources.list.d/*.list ||
    grep -qsE '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources
}
if ! have_deb_src; then
  # Mirror the enabled Debian deb lines as deb-src, in either format.
  entries=$(
    {
      cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        sed -nE 's/^[[:space:]]*deb[[:space:]]+(.*debian.*)$/deb-src \1/p'
      for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        awk 'BEGIN { RS = ""; ORS = "\n\n" }
             /(^|\n)Types:[^\n]*deb/ && /(^|\n)URIs:[^\n]*debian/ {
               sub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, "");
               print }' "$file"
      done
    }
  )
  [ -n "$entries" ] || die "no Debian deb entry in /etc/apt to mirror as deb-src"
  if grep -q '^Types:' <<<"$entries"; then
    target=/etc/apt/sources.list.d/rempart-src.sources
  else
    target=/etc/apt/sources.list.d/rempart-src.list
  fi
  say "adding deb-src entries in $target"
  printf '%s\n' "$entries" | "${sudo_cmd[@]}" tee "$target" >/dev/null
  run apt apt_get update -qq
  apt_updated=1
fi

# --- 3. Emscripten's environment --------------------------------------------
export NODE_PATH=/usr/share/nodejs
command -v emcc >/dev/null || die "emcc not found after installing emscripten"
EMCC_VERSION=$(emcc --version | head -n 1)
# Only the wasm prefix is visible to pkg-config: never the host's libraries.
export PKG_CONFIG_LIBDIR=$DEPS/lib/pkgconfig
export PKG_CONFIG_PATH=
unset PKG_CONFIG_SYSROOT_DIR
# No SIMD or assembly anywhere; C++ exceptions as native wasm exceptions so
# that libraries' and Rempart's catch blocks work (bad_alloc included).
# Source paths are recorded relative to the checkout (assert() messages keep
# them), so the module is the same byte for byte wherever it is built.
export CFLAGS="-O2 -ffile-prefix-map=$ROOT/="
export CXXFLAGS="-O2 -fwasm-exceptions -ffile-prefix-map=$ROOT/="
export LDFLAGS="-fwasm-exceptions"
cmake_common=(-G Ninja -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_INSTALL_PREFIX="$DEPS" -DCMAKE_PREFIX_PATH="$DEPS"
  -DCMAKE_FIND_ROOT_PATH="$DEPS" -DBUILD_SHARED_LIBS=OFF
  -DCMAKE_POSITION_INDEPENDENT_CODE=OFF
  # CMake's check_type_size misreads emscripten's output (size_t "9").
  -DHAVE_SIZEOF_SIZE_T=TRUE -DSIZEOF_SIZE_T=4)

# --- 4. Codec libraries from Debian sources ---------------------------------
# versions SOURCE BINARY: the Debian source versions to try, best first:
# the installed native library's (so both decode alike), then the others the
# archive lists, newest first (later Debian revisions of the same upstream
# release, e.g. security updates). Not every mirror serves every pool.
versions() {
  local installed
  installed=$(dpkg-query -W -f='${Status} ${source:Version}' "$2" 2>/dev/null |
    sed -n 's/^install ok installed //p')
  apt-cache showsrc "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -urV |
    awk -v first="$installed" '$0 == first { print; found = 1; next }
      { rest[n++] = $0 }
      END { for (i = 0; i < n; ++i) print rest[i] }'
}

# fetch SOURCE VERSION: extracts the Debian source (with Debian's patches)
# into $SRC/SOURCE-VERSION once and sets $source_dir; fails quietly (log in
# logs/source-SOURCE.log) when the archive cannot give that version.
fetch() {
  local name=$1 ver=$2
  source_dir=$SRC/$name-${ver//:/_}
  [ -f "$source_dir/.rempart-extracted" ] && return 0
  say "$name: apt-get source $name=$ver"
  rm -rf "$source_dir"
  (cd "$SRC/downloads" &&
    apt-get source -qq --download-only "$name=$ver") \
    >>"$LOGS/source-$name.log" 2>&1 || return 1
  local dsc=$SRC/downloads/${name}_${ver#*:}.dsc
  [ -f "$dsc" ] || return 1
  run "source-$name" dpkg-source --no-check -x "$dsc" "$source_dir"
  touch "$source_dir/.rempart-extracted"
}

# A plain archive from C files, for libraries whose own build system is
# more trouble than their file list (zlib, giflib, stb_image).
archive() {
  local out=$1
  shift
  local objects=() file cflags
  read -ra cflags <<<"$CFLAGS"
  mkdir -p "$WORK/objects-$out"
  for file in "$@"; do
    objects+=("$WORK/objects-$out/$(basename "${file%.c}").o")
    run "$out" emcc "${cflags[@]}" -c "$file" -o "${objects[-1]}"
  done
  rm -f "$DEPS/lib/lib$out.a"
  run "$out" emar rcs "$DEPS/lib/lib$out.a" "${objects[@]}"
}

build_zlib() {
  mkdir -p "$DEPS/include" "$DEPS/lib/pkgconfig"
  CFLAGS="$CFLAGS -DHAVE_UNISTD_H -DHAVE_STDARG_H" archive z "$source_dir"/{adler32,compress,crc32,deflate,gzclose,gzlib,gzread,gzwrite,infback,inffast,inflate,inftrees,trees,uncompr,zutil}.c
  cp "$source_dir/zlib.h" "$source_dir/zconf.h" "$DEPS/include/"
  cat >"$DEPS/lib/pkgconfig/zlib.pc" <<EOF
prefix=$DEPS
Name: zlib
Description: zlib compression library (Debian $1, wasm32)
Version: ${1%%-*}
Libs: -L\${prefix}/lib -lz
Cflags: -I\${prefix}/include
EOF
}

build_libjpeg_turbo() {
  local build=$WORK/libjpeg-turbo
  rm -rf "$build"
  run libjpeg-turbo emcmake cmake -S "$source_dir" -B "$build" \
    "${cmake_common[@]}" -DWITH_SIMD=0 -DENABLE_SHARED=0 -DENABLE_STATIC=1 \
    -DWITH_TURBOJPEG=0 -DWITH_JAVA=0
  # CMake's probe reads the host's size_t under emcmake; wasm32's is 4 bytes.
  sed -i 's/^#define SIZEOF_SIZE_T .*/#define SIZEOF_SIZE_T  4/' \
    "$build/jconfigint.h"
  grep -q 'SIZEOF_SIZE_T  4' "$build/jconfigint.h" ||
    die "libjpeg-turbo: could not set SIZEOF_SIZE_T in jconfigint.h"
  run libjpeg-turbo cmake --build "$build" -j "$JOBS" --target jpeg-static
  # Installed by hand: its install rules also want the tools (cjpeg...).
  mkdir -p "$DEPS/include" "$DEPS/lib/pkgconfig"
  cp "$build/libjpeg.a" "$DEPS/lib/"
  cp "$source_dir"/{jpeglib.h,jmorecfg.h,jerror.h} "$build/jconfig.h" \
    "$DEPS/include/"
  cat >"$DEPS/lib/pkgconfig/libjpeg.pc" <<EOF
prefix=$DEPS
Name: libjpeg
Description: libjpeg-turbo (Debian $1, wasm32, no SIMD)
Version: ${1#*:}
Libs: -L\${prefix}/lib -ljpeg
Cflags: -I\${prefix}/include
EOF
}

build_libpng() {
  local build=$WORK/libpng
  rm -rf "$build"
  run libpng emcmake cmake -S "$source_dir" -B "$build" "${cmake_common[@]}" \
    -DPNG_SHARED=OFF -DPNG_STATIC=ON -DPNG_TESTS=OFF -DPNG_EXECUTABLES=OFF \
    -DPNG_HARDWARE_OPTIMIZATIONS=OFF -DPNG_BUILD_ZLIB=OFF \
    -DZLIB_INCLUDE_DIR="$DEPS/include" -DZLIB_LIBRARY="$DEPS/lib/libz.a" \
    -DCMAKE_INSTALL_LIBDIR=lib
  run libpng cmake --build "$build" -j "$JOBS"
  run libpng cmake --install "$build"
}

build_libwebp() {
  local build=$WORK/libwebp
  rm -rf "$build"
  run libwebp emcmake cmake -S "$source_dir" -B "$build" "${cmake_common[@]}" \
    -DWEBP_ENABLE_SIMD=OFF -DWEBP_BUILD_ANIM_UTILS=OFF -DWEBP_BUILD_CWEBP=OFF \
    -DWEBP_BUILD_DWEBP=OFF -DWEBP_BUILD_GIF2WEBP=OFF -DWEBP_BUILD_IMG2WEBP=OFF \
    -DWEBP_BUILD_VWEBP=OFF -DWEBP_BUILD_WEBPINFO=OFF -DWEBP_BUILD_WEBPMUX=OFF \
    -DWEBP_BUILD_LIBWEBPMUX=OFF -DWEBP_BUILD_EXTRAS=OFF \
    -DWEBP_BUILD_WEBP_JS=OFF -DWEBP_USE_THREAD=OFF -DCMAKE_INSTALL_LIBDIR=lib
  run libwebp cmake --build "$build" -j "$JOBS"
  run libwebp cmake --install "$build"
}

build_giflib() {
  archive gif "$source_dir"/{dgif_lib,egif_lib,gifalloc,gif_err,gif_hash,openbsd-reallocarray}.c
  cp "$source_dir/gif_lib.h" "$DEPS/include/"
}

build_tiff() {
  local build=$WORK/tiff
  rm -rf "$build"
  run tiff emcmake cmake -S "$source_dir" -B "$build" "${cmake_common[@]}" \
    -Dtiff-tools=OFF -Dtiff-tests=OFF -Dtiff-contrib=OFF -Dtiff-docs=OFF \
    -Dcxx=OFF -Djpeg=ON -Dzlib=ON -Dold-jpeg=ON -Dpixarlog=ON -Djbig=OFF \
    -Dlzma=OFF -Dzstd=OFF -Dwebp=OFF -Dlerc=OFF -Dlibdeflate=OFF \
    -Djpeg12=OFF -DCMAKE_DISABLE_FIND_PACKAGE_OpenGL=ON \
    -DCMAKE_DISABLE_FIND_PACKAGE_GLUT=ON \
    -DZLIB_INCLUDE_DIR="$DEPS/include" -DZLIB_LIBRARY="$DEPS/lib/libz.a" \
    -DJPEG_INCLUDE_DIR="$DEPS/include" -DJPEG_LIBRARY="$DEPS/lib/libjpeg.a" \
    -DCMAKE_INSTALL_LIBDIR=lib
  run tiff cmake --build "$build" -j "$JOBS" --target tiff
  run tiff cmake --install "$build"
}

build_libde265() {
  local build=$WORK/libde265
  rm -rf "$build"
  run libde265 emcmake cmake -S "$source_dir" -B "$build" "${cmake_common[@]}" \
    -DENABLE_SDL=OFF -DDISABLE_SSE=ON -DENABLE_DECODER=OFF \
    -DENABLE_ENCODER=OFF -DCMAKE_INSTALL_LIBDIR=lib
  run libde265 cmake --build "$build" -j "$JOBS"
  run libde265 cmake --install "$build"
}

# libaom, decoder only: libheif's AV1 decoder for AVIF, as natively (the
# media layer picks "aom"; AV1 decoding is normative, generic C included).
build_aom() {
  local build=$WORK/aom
  rm -rf "$build"
  run aom emcmake cmake -S "$source_dir" -B "$build" "${cmake_common[@]}" \
    -DAOM_TARGET_CPU=generic -DCONFIG_AV1_ENCODER=0 -DCONFIG_MULTITHREAD=0 \
    -DCONFIG_RUNTIME_CPU_DETECT=0 -DCONFIG_WEBM_IO=0 -DENABLE_DOCS=0 \
    -DENABLE_EXAMPLES=0 -DENABLE_TESTDATA=0 -DENABLE_TESTS=0 \
    -DENABLE_TOOLS=0 -DCMAKE_INSTALL_LIBDIR=lib
  run aom cmake --build "$build" -j "$JOBS"
  run aom cmake --install "$build"
}

build_libheif() {
  local build=$WORK/libheif
  rm -rf "$build"
  # libheif special-cases __EMSCRIPTEN__ twice for its own JavaScript build;
  # both are undone here, in the extracted copy (docs/BROWSER.md):
  #  - its libde265 glue turns off the deblocking and SAO filters "to speed
  #    up decoding", which changes the pixels (and so PDQ) — they stay on,
  #    as in the native library (the worker thread stays off: no threads);
  #  - heif.cc pulls in its embind bindings, which Rempart does not use.
  local glue=$source_dir/libheif/plugins/heif_decoder_libde265.cc
  sed -i -E 's/(DE265_DECODER_PARAM_DISABLE_(DEBLOCKING|SAO)), 1\)/\1, 0)/' \
    "$glue"
  sed -i 's|^#include "heif_emscripten.h"|/* rempart: no embind bindings */|' \
    "$source_dir/libheif/heif.cc"
  if grep -qE 'DISABLE_(DEBLOCKING|SAO), 1\)' "$glue" ||
    grep -q '^#include "heif_emscripten.h"' "$source_dir/libheif/heif.cc"; then
    die "libheif: could not undo its emscripten special cases"
  fi
  run libheif emcmake cmake -S "$source_dir" -B "$build" "${cmake_common[@]}" \
    -DWITH_EXAMPLES=OFF -DWITH_LIBDE265=ON -DWITH_X265=OFF \
    -DWITH_AOM_DECODER=ON -DWITH_AOM_ENCODER=OFF -DWITH_DAV1D=OFF \
    -DWITH_RAV1E=OFF -DWITH_SvtEnc=OFF -DWITH_JPEG_DECODER=OFF \
    -DWITH_JPEG_ENCODER=OFF -DWITH_GDK_PIXBUF=OFF -DENABLE_PLUGIN_LOADING=OFF \
    -DWITH_LIBSHARPYUV=OFF -DENABLE_MULTITHREADING_SUPPORT=OFF \
    -DENABLE_PARALLEL_TILE_DECODING=OFF -DWITH_FUZZERS=OFF \
    -DBUILD_TESTING=OFF -DCMAKE_INSTALL_LIBDIR=lib
  run libheif cmake --build "$build" -j "$JOBS"
  run libheif cmake --install "$build"
}

build_nettle() {
  local build=$WORK/nettle
  rm -rf "$build"
  mkdir -p "$build"
  (cd "$build" && run nettle emconfigure "$source_dir/configure" \
    --host=wasm32-unknown-emscripten --prefix="$DEPS" --libdir="$DEPS/lib" \
    --disable-shared --disable-assembler --disable-fat --disable-public-key \
    --disable-documentation --disable-openssl --disable-x86-aesni \
    --disable-x86-sha-ni --disable-x86-pclmul)
  run nettle emmake make -C "$build" -j "$JOBS" libnettle.a
  # Installed by hand: its install rules would rerun autoheader, as Debian's
  # patches leave configure.ac newer than config.h.in.
  mkdir -p "$DEPS/include/nettle" "$DEPS/lib/pkgconfig"
  cp "$build/libnettle.a" "$DEPS/lib/"
  cp "$source_dir"/*.h "$build/version.h" \
    "$DEPS/include/nettle/"
  cat >"$DEPS/lib/pkgconfig/nettle.pc" <<EOF
prefix=$DEPS
Name: Nettle
Description: Nettle low-level cryptographic library (Debian $1, wasm32)
Version: ${1%%-*}
Libs: -L\${prefix}/lib -lnettle
Cflags: -I\${prefix}/include
EOF
}

# stb_image from libstb-dev's header (Debian's libstb package), compiled in
# one translation unit with its default configuration, as Debian's libstb.
build_stb() {
  local header=/usr/include/stb/stb_image.h
  [ -f "$header" ] || die "no $header (libstb-dev)"
  mkdir -p "$DEPS/include/stb" "$WORK/stb"
  cp "$header" "$DEPS/include/stb/"
  printf '#define STB_IMAGE_IMPLEMENTATION\n#include <stb/stb_image.h>\n' \
    >"$WORK/stb/stb_image.c"
  CFLAGS="$CFLAGS -I$DEPS/include" archive stb "$WORK/stb/stb_image.c"
  cat >"$DEPS/lib/pkgconfig/stb.pc" <<EOF
prefix=$DEPS
Name: stb
Description: stb_image from Debian's libstb $1 (wasm32)
Version: ${1%%-*}
Libs: -L\${prefix}/lib -lstb
Cflags: -I\${prefix}/include
EOF
}

recipe() { echo "$RECIPE${RECIPES[$1]:+.${RECIPES[$1]}}"; }

# dependency FUNCTION SOURCE BINARY: builds one library unless its stamp
# says a candidate version was built by this recipe with this compiler.
dependency() {
  local function=$1 name=$2 binary=$3 ver stamp built native candidates
  candidates=$(versions "$name" "$binary")
  if [ -z "$candidates" ] && [ -z "${apt_updated:-}" ]; then
    # A deb-src entry whose index was never downloaded.
    run apt apt_get update -qq
    apt_updated=1
    candidates=$(versions "$name" "$binary")
  fi
  [ -n "$candidates" ] || die "no Debian source for $name (deb-src entry?)"
  stamp=$DEPS/stamps/$name
  if [ -f "$stamp" ]; then
    read -r _ built _ <"$stamp"
    if grep -qxF "$built" <<<"$candidates" &&
      [ "$(cat "$stamp")" = "$name $built recipe $(recipe "$name") $EMCC_VERSION" ]; then
      say "$name $built: up to date"
      return
    fi
  fi
  local step_start
  step_start=$(date +%s)
  source_dir=
  if [ "$name" != libstb ]; then
    : >"$LOGS/source-$name.log"
    ver=
    while read -r candidate; do
      if fetch "$name" "$candidate"; then
        ver=$candidate
        break
      fi
    done <<<"$candidates"
    [ -n "$ver" ] || {
      tail -n 20 "$LOGS/source-$name.log" >&2
      die "apt-get source $name failed for every version: $candidates"
    }
  else
    ver=$(head -n 1 <<<"$candidates")
  fi
  native=$(dpkg-query -W -f='${source:Version}' "$binary" 2>/dev/null || true)
  if [ -n "$native" ] && [ "$native" != "$ver" ]; then
    say "$name: note: the native library is $native; building $ver"
  fi
  say "$name $ver: building"
  : >"$LOGS/${function#build_}.log"
  "$function" "$ver"
  echo "$name $ver recipe $(recipe "$name") $EMCC_VERSION" >"$stamp"
  deps_changed=1
  say "$name $ver: built in $(($(date +%s) - step_start)) s"
}

dependency build_zlib zlib zlib1g-dev
dependency build_libjpeg_turbo libjpeg-turbo libjpeg62-turbo-dev
dependency build_libpng libpng1.6 libpng-dev
dependency build_libwebp libwebp libwebp-dev
dependency build_giflib giflib libgif-dev
dependency build_tiff tiff libtiff-dev
dependency build_libde265 libde265 libde265-dev
dependency build_aom aom libaom3
dependency build_libheif libheif libheif-dev
dependency build_nettle nettle nettle-dev
dependency build_stb libstb libstb-dev

# --- 5. Rempart's module ----------------------------------------------------
say "rempart: configuring and building build/wasm/project"
# pkg-config results are cached: configure afresh when a library changed.
if [ -n "${deps_changed:-}" ]; then rm -f "$WASM/project/CMakeCache.txt"; fi
project_start=$(date +%s)
run rempart emcmake cmake -S "$ROOT" -B "$WASM/project" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DREMPART_WASM=ON -DREMPART_BUILD_TESTS=OFF \
  -DREMPART_BUILD_BENCH=OFF -DCMAKE_FIND_ROOT_PATH="$DEPS"
run rempart cmake --build "$WASM/project" -j "$JOBS" --target rempart-hash
cp "$WASM/project/src/browser/rempart-hash.js" \
  "$WASM/project/src/browser/rempart-hash.wasm" "$DIST/"

say "rempart: built in $(($(date +%s) - project_start)) s"

size() { stat -c %s "$1"; }
gzipped() { gzip -9 -c "$1" | wc -c; }
say "dist: rempart-hash.js $(size "$DIST/rempart-hash.js") bytes," \
  "rempart-hash.wasm $(size "$DIST/rempart-hash.wasm") bytes" \
  "($(gzipped "$DIST/rempart-hash.wasm") gzipped)"
say "done in $(($(date +%s) - started)) s: $DIST"
