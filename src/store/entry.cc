#include "rempart/store/entry.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <string>

#include "rempart/core/hex.h"
#include "store/store_internal.h"

namespace rempart::store {
namespace {

constexpr std::array<std::string_view, 4> kSignalKindNames = {"pdq", "md5",
                                                              "sha256", "vpdq"};
constexpr std::array<std::string_view, 4> kCategoryNames = {
    "intimate_image", "sextortion", "synthetic", "child_abuse"};
constexpr std::array<std::string_view, 2> kEntryStatusNames = {"active",
                                                               "revoked"};

std::size_t SignalSize(SignalKind kind) {
  switch (kind) {
    case SignalKind::kMd5:
      return 16;
    case SignalKind::kPdq:
    case SignalKind::kSha256:
    case SignalKind::kVpdq:
      return 32;
  }
  assert(false && "unknown SignalKind");
  return 32;
}

}  // namespace

std::string_view SignalKindName(SignalKind kind) {
  return kSignalKindNames.at(static_cast<std::size_t>(kind));
}

Result<SignalKind> ParseSignalKind(std::string_view name) {
  return internal::ParseName<SignalKind>(kSignalKindNames, name, "signal kind");
}

std::string_view CategoryName(Category category) {
  return kCategoryNames.at(static_cast<std::size_t>(category));
}

Result<Category> ParseCategory(std::string_view name) {
  return internal::ParseName<Category>(kCategoryNames, name, "category");
}

std::string_view EntryStatusName(EntryStatus status) {
  return kEntryStatusNames.at(static_cast<std::size_t>(status));
}

Result<EntryStatus> ParseEntryStatus(std::string_view name) {
  return internal::ParseName<EntryStatus>(kEntryStatusNames, name,
                                          "entry status");
}

Signal::Signal(SignalKind kind, std::span<const std::uint8_t> bytes)
    : kind_(kind), size_(static_cast<std::uint8_t>(bytes.size())) {
  assert(bytes.size() == SignalSize(kind));
  std::copy(bytes.begin(), bytes.end(), bytes_.begin());
}

Signal Signal::Pdq(const hash::PdqHash& hash) {
  return {SignalKind::kPdq, hash.ToBytes()};
}

Signal Signal::Md5(const hash::Md5Digest& digest) {
  return {SignalKind::kMd5, digest};
}

Signal Signal::Sha256(const hash::Sha256Digest& digest) {
  return {SignalKind::kSha256, digest};
}

Signal Signal::Vpdq(std::span<const hash::VpdqFrame> frames) {
  const std::string text = hash::FormatVpdq(frames);
  const hash::Sha256Digest name = hash::Sha256(
      {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  return {SignalKind::kVpdq, name};
}

Result<Signal> Signal::FromBytes(SignalKind kind,
                                 std::span<const std::uint8_t> bytes) {
  if (static_cast<std::size_t>(kind) >= kSignalKindNames.size()) {
    return InvalidArgumentError("unknown signal kind");
  }
  if (bytes.size() != SignalSize(kind)) {
    return InvalidArgumentError("a " + std::string(SignalKindName(kind)) +
                                " signal has " +
                                std::to_string(SignalSize(kind)) +
                                " bytes, not " + std::to_string(bytes.size()));
  }
  return Signal(kind, bytes);
}

Result<Signal> Signal::FromHex(SignalKind kind, std::string_view hex) {
  if (static_cast<std::size_t>(kind) >= kSignalKindNames.size()) {
    return InvalidArgumentError("unknown signal kind");
  }
  auto bytes = HexDecode(hex, SignalSize(kind));
  if (!bytes) {
    return bytes.error().WithContext(
        "invalid " + std::string(SignalKindName(kind)) + " signal");
  }
  return Signal(kind, *bytes);
}

std::string Signal::hex() const { return HexEncode(bytes()); }

hash::PdqHash Signal::pdq() const {
  assert(kind_ == SignalKind::kPdq);
  return hash::PdqHash::FromBytes(std::span<const std::uint8_t, 32>(bytes_));
}

}  // namespace rempart::store
