// ExactIndex: which entries carry a given MD5 or SHA-256 digest.
//
// Exact signals match byte-identical files only, so a lookup is a hash
// table probe: an open-addressing table (linear probing, load ≤ 1/2)
// whose slots hold the digest inline, so a lookup costs one or two cache
// lines. Digests are already uniformly random; their first eight
// bytes are the hash. Immutable once built; thread-safe.
#ifndef REMPART_INDEX_EXACT_INDEX_H_
#define REMPART_INDEX_EXACT_INDEX_H_

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "rempart/index/index.h"

namespace rempart::index {

enum class DigestKind : std::uint8_t { kMd5 = 1, kSha256 = 2 };

// A digest with its kind; MD5 uses the first 16 bytes, the rest zero.
struct Digest {
  DigestKind kind = DigestKind::kSha256;
  std::array<std::uint8_t, 32> bytes{};

  static Digest Md5(std::span<const std::uint8_t, 16> md5);
  static Digest Sha256(std::span<const std::uint8_t, 32> sha256);
  friend bool operator==(const Digest&, const Digest&) = default;
};

struct DigestEntry {
  Digest digest;
  EntryId id = 0;
};

class ExactIndex {
 public:
  ExactIndex() = default;
  explicit ExactIndex(std::span<const DigestEntry> entries);

  // Ids of every entry with exactly this digest, ascending.
  [[nodiscard]] std::vector<EntryId> Find(const Digest& digest) const;
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t memory_bytes() const;
  // Calls fn(const DigestEntry&) for every entry, in no particular order.
  template <typename Fn>
  void ForEach(const Fn& fn) const {
    for (const Slot& slot : slots_) {
      if (slot.used) fn(DigestEntry{slot.digest, slot.id});
    }
  }

 private:
  struct Slot {
    Digest digest;
    EntryId id = 0;
    bool used = false;
  };

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace rempart::index

#endif  // REMPART_INDEX_EXACT_INDEX_H_
