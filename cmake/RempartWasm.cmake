# The browser build (REMPART_WASM=ON, configured by scripts/wasm.sh under
# emcmake): only core, media and hash, and the module in src/browser, linked
# against the codec libraries scripts/wasm.sh built for wasm32 from Debian's
# sources. pkg-config sees only that prefix (PKG_CONFIG_LIBDIR).
if(NOT EMSCRIPTEN)
  message(FATAL_ERROR "REMPART_WASM needs the emscripten toolchain: run "
                      "scripts/wasm.sh")
endif()
set(REMPART_BUILD_TESTS OFF)
set(REMPART_BUILD_BENCH OFF)

find_package(PkgConfig REQUIRED)
foreach(dep IN ITEMS "JPEG libjpeg" "PNG libpng" "WEBP libwebp libwebpdemux"
                     "HEIF libheif" "TIFF libtiff-4" "NETTLE nettle" "STB stb")
  separate_arguments(dep)
  list(POP_FRONT dep prefix)
  pkg_check_modules(${prefix} REQUIRED IMPORTED_TARGET ${dep})
  # Static archives: also link what each library needs (Libs.private,
  # Requires.private), e.g. zlib under libpng and libde265 under libheif.
  set_property(TARGET PkgConfig::${prefix} APPEND PROPERTY
               INTERFACE_LINK_OPTIONS ${${prefix}_STATIC_LDFLAGS})
endforeach()
find_library(GIF_LIBRARY NAMES gif REQUIRED)
find_path(GIF_INCLUDE_DIR gif_lib.h REQUIRED)
add_library(rempart_giflib INTERFACE)
target_link_libraries(rempart_giflib INTERFACE ${GIF_LIBRARY})
target_include_directories(rempart_giflib SYSTEM INTERFACE ${GIF_INCLUDE_DIR})

# C++ exceptions as native WebAssembly exceptions, so that the catch blocks
# of the libraries and of Rempart's barriers work (std::bad_alloc when the
# memory ceiling is reached becomes an error, not an abort).
target_compile_options(rempart_flags INTERFACE -fwasm-exceptions
                       -ffile-prefix-map=${PROJECT_SOURCE_DIR}/=)
target_link_options(rempart_flags INTERFACE -fwasm-exceptions)

add_subdirectory(src/core)
add_subdirectory(src/media)
add_subdirectory(src/hash)
add_subdirectory(src/browser)
