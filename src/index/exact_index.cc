#include "rempart/index/exact_index.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace rempart::index {
namespace {

std::size_t HashOf(const Digest& digest) {
  std::uint64_t prefix = 0;
  std::memcpy(&prefix, digest.bytes.data(), sizeof(prefix));
  return static_cast<std::size_t>(prefix ^
                                  static_cast<std::uint64_t>(digest.kind));
}

}  // namespace

Digest Digest::Md5(std::span<const std::uint8_t, 16> md5) {
  Digest digest{DigestKind::kMd5, {}};
  std::copy(md5.begin(), md5.end(), digest.bytes.begin());
  return digest;
}

Digest Digest::Sha256(std::span<const std::uint8_t, 32> sha256) {
  Digest digest{DigestKind::kSha256, {}};
  std::copy(sha256.begin(), sha256.end(), digest.bytes.begin());
  return digest;
}

ExactIndex::ExactIndex(std::span<const DigestEntry> entries)
    : size_(entries.size()) {
  const std::size_t capacity =
      std::bit_ceil(std::max<std::size_t>(16, entries.size() * 2));
  slots_.resize(capacity);
  mask_ = capacity - 1;
  for (const DigestEntry& entry : entries) {
    std::size_t slot = HashOf(entry.digest) & mask_;
    while (slots_[slot].used) slot = (slot + 1) & mask_;
    slots_[slot] = Slot{entry.digest, entry.id, true};
  }
}

std::vector<EntryId> ExactIndex::Find(const Digest& digest) const {
  std::vector<EntryId> ids;
  if (slots_.empty()) return ids;
  for (std::size_t slot = HashOf(digest) & mask_; slots_[slot].used;
       slot = (slot + 1) & mask_) {
    if (slots_[slot].digest == digest) ids.push_back(slots_[slot].id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::size_t ExactIndex::memory_bytes() const {
  return sizeof(*this) + slots_.capacity() * sizeof(Slot);
}

}  // namespace rempart::index
