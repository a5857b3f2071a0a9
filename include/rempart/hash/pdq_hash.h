// PdqHash: a 256-bit PDQ perceptual hash, its hex text and Hamming distance.
//
// Bit k (0…255) is the DCT coefficient at row k / 16, column k % 16 (spec
// §10). The hex text is the 256-bit integer Σ bit_k·2^k written big-endian
// in 64 lowercase digits, exactly as the reference tools print it, so hashes
// interoperate with every PDQ bank. A PdqHash is a trivially copyable value.
#ifndef REMPART_HASH_PDQ_HASH_H_
#define REMPART_HASH_PDQ_HASH_H_

#include <array>
#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "rempart/core/result.h"

namespace rempart::hash {

class PdqHash {
 public:
  static constexpr int kBits = 256;
  static constexpr int kHexDigits = 64;

  // All 256 bits clear.
  constexpr PdqHash() = default;
  // Word w holds bits 64·w … 64·w + 63, bit k at position k % 64.
  explicit constexpr PdqHash(const std::array<std::uint64_t, 4>& words)
      : words_(words) {}

  // Parses 64 hex digits (either case; nothing else). InvalidArgument with
  // the reason otherwise.
  static Result<PdqHash> FromHex(std::string_view text);

  // 64 lowercase hex digits.
  [[nodiscard]] std::string ToHex() const;

  // The 32 bytes of the hex text's big-endian integer (byte 0 holds bits
  // 255…248), the form stores and snapshots keep.
  static PdqHash FromBytes(std::span<const std::uint8_t, 32> bytes);
  [[nodiscard]] std::array<std::uint8_t, 32> ToBytes() const;

  [[nodiscard]] constexpr bool bit(int k) const {
    return ((words_[k >> 6] >> (k & 63)) & 1u) != 0;
  }
  constexpr void set_bit(int k) {
    words_[k >> 6] |= std::uint64_t{1} << (k & 63);
  }
  [[nodiscard]] constexpr const std::array<std::uint64_t, 4>& words() const {
    return words_;
  }
  // Number of set bits (128 for a hash without median ties).
  [[nodiscard]] constexpr int popcount() const {
    return std::popcount(words_[0]) + std::popcount(words_[1]) +
           std::popcount(words_[2]) + std::popcount(words_[3]);
  }

  friend constexpr bool operator==(const PdqHash&, const PdqHash&) = default;

 private:
  std::array<std::uint64_t, 4> words_{};
};

// Hamming distance: the number of differing bits, 0…256.
constexpr int Distance(const PdqHash& a, const PdqHash& b) {
  int distance = 0;
  for (int w = 0; w < 4; ++w) {
    distance += std::popcount(a.words()[w] ^ b.words()[w]);
  }
  return distance;
}

// The field's match threshold: distance ≤ 31 (spec §12).
inline constexpr int kPdqMatchDistance = 31;
// Hashes of lower quality carry too little signal to match on (spec §12).
inline constexpr int kPdqMinUsefulQuality = 50;

}  // namespace rempart::hash

#endif  // REMPART_HASH_PDQ_HASH_H_
