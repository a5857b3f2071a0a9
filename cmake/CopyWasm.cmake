# cmake -DFROM=dir -DTO=dir -P CopyWasm.cmake: copies the built WebAssembly
# module when scripts/wasm.sh has built it; says so when it has not.
if(EXISTS "${FROM}/rempart-hash.wasm" AND EXISTS "${FROM}/rempart-hash.js")
  file(MAKE_DIRECTORY "${TO}")
  file(COPY "${FROM}/rempart-hash.js" "${FROM}/rempart-hash.wasm"
       DESTINATION "${TO}")
else()
  message(STATUS "No WebAssembly module in ${FROM}: the victim page cannot "
                 "hash until scripts/wasm.sh has built it")
endif()
