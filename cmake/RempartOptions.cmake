# Compiler flags shared by every Rempart target, and helpers to declare
# layers and their tests.

add_library(rempart_flags INTERFACE)
target_compile_options(rempart_flags INTERFACE -Wall -Wextra -Wpedantic
                       -Wshadow -Wnon-virtual-dtor)
if(REMPART_SANITIZE)
  target_compile_options(rempart_flags INTERFACE
      -fsanitize=address,undefined -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
  target_link_options(rempart_flags INTERFACE -fsanitize=address,undefined)
endif()
if(REMPART_BUILD_FUZZERS)
  # Instrument the library code for coverage; fuzz targets add the driver.
  target_compile_options(rempart_flags INTERFACE
      -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(rempart_flags INTERFACE -fsanitize=address,undefined)
endif()

# rempart_layer(NAME SOURCES... DEPS ...): a static library target
# rempart_NAME whose public headers live in include/rempart/NAME.
function(rempart_layer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(rempart_${name} STATIC ${ARG_SOURCES})
  target_include_directories(rempart_${name} PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
      PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(rempart_${name} PUBLIC ${ARG_DEPS} rempart_flags
                        PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# rempart_test(NAME SOURCES... DEPS ... [PROPERTIES prop value...]): a
# GoogleTest binary registered with CTest, run from the source tree so
# fixtures resolve. PROPERTIES are set on every discovered test (e.g.
# FIXTURES_REQUIRED video_clips).
function(rempart_test name)
  if(NOT REMPART_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PROPERTIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest
                        GTest::gtest_main GTest::gmock rempart_flags)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src
                             ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE
      REMPART_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      REMPART_SHARED_DIR="${REMPART_SHARED_DIR}")
  set(properties)
  if(ARG_PROPERTIES)
    set(properties PROPERTIES ${ARG_PROPERTIES})
  endif()
  gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} NO_PRETTY_VALUES
                       DISCOVERY_TIMEOUT 60 ${properties})
endfunction()
