#include "rempart/hash/pdq_hash.h"

#include <string>

#include "rempart/core/hex.h"

namespace rempart::hash {

Result<PdqHash> PdqHash::FromHex(std::string_view text) {
  auto bytes = HexDecode(text, kHexDigits / 2);
  if (!bytes) return bytes.error().WithContext("invalid PDQ hash");
  return FromBytes(std::span<const std::uint8_t, 32>(bytes->data(), 32));
}

std::string PdqHash::ToHex() const { return HexEncode(ToBytes()); }

PdqHash PdqHash::FromBytes(std::span<const std::uint8_t, 32> bytes) {
  // bytes[0] holds bits 255…248: the big-endian integer.
  std::array<std::uint64_t, 4> words{};
  for (int i = 0; i < 32; ++i) {
    const int word = 3 - i / 8;
    words[word] = (words[word] << 8) | bytes[i];
  }
  return PdqHash(words);
}

std::array<std::uint8_t, 32> PdqHash::ToBytes() const {
  std::array<std::uint8_t, 32> bytes{};
  for (int i = 0; i < 32; ++i) {
    const int word = 3 - i / 8;
    const int shift = 56 - 8 * (i % 8);
    bytes[i] = static_cast<std::uint8_t>(words_[word] >> shift);
  }
  return bytes;
}

}  // namespace rempart::hash
