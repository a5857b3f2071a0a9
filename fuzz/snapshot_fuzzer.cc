// libFuzzer target for bank snapshot files (src/match/snapshot.h). A
// snapshot ends in a SHA-256 of its content, which random mutations almost
// never get right; when the first byte is odd the target rewrites the
// checksum before parsing, so the fuzzer reaches the structure behind it.
// Whatever parses must serialize back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "match/snapshot.h"
#include "rempart/hash/digest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size == 0) return 0;
  std::vector<std::uint8_t> bytes(data + 1, data + size);
  if ((data[0] & 1) != 0 && bytes.size() >= 32) {
    const auto checksum = rempart::hash::Sha256(
        std::span<const std::uint8_t>(bytes.data(), bytes.size() - 32));
    std::copy(checksum.begin(), checksum.end(), bytes.end() - 32);
  }
  auto snapshot = rempart::match::ParseSnapshot(bytes);
  if (snapshot && rempart::match::SerializeSnapshot(*snapshot) != bytes) {
    std::abort();
  }
  return 0;
}
