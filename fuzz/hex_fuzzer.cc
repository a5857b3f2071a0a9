// libFuzzer target for hash text parsing: PdqHash::FromHex, HexDecode and
// a video's vPDQ text (ParseVpdq). Checks that anything accepted
// round-trips: the same hash, and vPDQ text that is stable once written.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rempart/core/hex.h"
#include "rempart/hash/pdq_hash.h"
#include "rempart/hash/vpdq.h"

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
  if (auto frames = rempart::hash::ParseVpdq(text)) {
    const std::string written = rempart::hash::FormatVpdq(*frames);
    auto again = rempart::hash::ParseVpdq(written);
    if (!again || rempart::hash::FormatVpdq(*again) != written) std::abort();
  }
  return 0;
}
