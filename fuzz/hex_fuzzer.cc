// libFuzzer target for hash text parsing: PdqHash::FromHex and HexDecode.
// Checks that anything accepted round-trips to the same hash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rempart/core/hex.h"
#include "rempart/hash/pdq_hash.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto hash = rempart::hash::PdqHash::FromHex(text);
  if (hash) {
    auto again = rempart::hash::PdqHash::FromHex(hash->ToHex());
    if (!again || !(*again == *hash)) std::abort();
  }
  auto bytes = rempart::HexDecode(text, size / 2);
  if (bytes && rempart::HexEncode(*bytes).size() != size) std::abort();
  return 0;
}
