// libFuzzer target for a patch signature's two forms (hash/patches.h): the
// input is read both as bytes (DecodePatches) and as hex text
// (ParsePatches). Whatever is accepted must be written back exactly: the
// same bytes, the same lowercase text.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "rempart/hash/patches.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  if (auto patches = rempart::hash::DecodePatches(bytes)) {
    const auto written = rempart::hash::EncodePatches(*patches);
    if (!std::equal(written.begin(), written.end(), bytes.begin(),
                    bytes.end())) {
      std::abort();
    }
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto patches = rempart::hash::ParsePatches(text)) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
      return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    if (rempart::hash::FormatPatches(*patches) != lower) std::abort();
  }
  return 0;
}
