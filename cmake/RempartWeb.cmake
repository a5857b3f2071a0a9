# The pages `rempart serve` serves: web/ from the source tree, and the
# WebAssembly hashing module that scripts/wasm.sh builds into
# build/wasm/dist/. Both are copied to ${CMAKE_BINARY_DIR}/web at every build,
# the default web root compiled into the service (docs/SERVICE.md).
set(REMPART_WEB_ROOT "${CMAKE_BINARY_DIR}/web")
set(REMPART_WASM_DIST "${PROJECT_SOURCE_DIR}/build/wasm/dist" CACHE PATH
    "Where scripts/wasm.sh puts rempart-hash.js and rempart-hash.wasm")
add_custom_target(rempart_web ALL
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${REMPART_WEB_ROOT}
  COMMAND ${CMAKE_COMMAND} -E copy_directory ${PROJECT_SOURCE_DIR}/web
          ${REMPART_WEB_ROOT}
  COMMAND ${CMAKE_COMMAND} -DFROM=${REMPART_WASM_DIST}
          -DTO=${REMPART_WEB_ROOT}/wasm -P ${PROJECT_SOURCE_DIR}/cmake/CopyWasm.cmake
  COMMENT "Copying web pages to ${REMPART_WEB_ROOT}"
  VERBATIM)
