// Checks and helpers shared by the store's backends; not part of the public
// API.
#ifndef REMPART_STORE_STORE_INTERNAL_H_
#define REMPART_STORE_STORE_INTERNAL_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/core/status.h"
#include "rempart/hash/vpdq.h"
#include "rempart/store/entry.h"

namespace rempart::store::internal {

// OK when `text` is at most `max_bytes` long and holds no NUL byte;
// InvalidArgument naming `field` otherwise.
Status ValidateText(std::string_view field, std::string_view text,
                    std::size_t max_bytes);

// A video's frames as the store keeps them (one value per video, in the
// entry's or case's row set): kVpdqFrameBytes per frame, in order. A frame
// is its frame number (8 bytes, little-endian two's complement), its
// quality (1 byte), its PDQ hash (PdqHash::ToBytes(), 32 bytes) and its
// timestamp (the IEEE 754 binary64 bits, 8 bytes, little-endian): fixed
// widths, so every value reads back bit for bit and hash::FormatVpdq() of
// what is read is the text that named the video.
inline constexpr std::size_t kVpdqFrameBytes = 49;
std::vector<std::uint8_t> EncodeVpdqFrames(
    std::span<const hash::VpdqFrame> frames);
// The frames of an EncodeVpdqFrames() value, checked with
// ValidateVpdqFrames(); InvalidArgument when `bytes` is not one.
Result<std::vector<hash::VpdqFrame>> DecodeVpdqFrames(
    std::span<const std::uint8_t> bytes);

// The names (Signal::Vpdq()) of the videos of a NewCase or CaseUpdate, in
// order, each checked with ValidateVpdqFrames(); InvalidArgument naming
// the first bad one ("video 2: frame 3: …").
Result<std::vector<Signal>> NameCaseVideos(
    std::span<const std::vector<hash::VpdqFrame>> videos);
// InvalidArgument when `signals` holds a kVpdq signal: a video's name
// comes with its frames, never alone.
Status CheckNoBareVideoNames(std::span<const Signal> signals);

// `text` as a JSON string, quotes included, for the details of audit
// records. Bytes of 0x80 and above pass through unchanged (UTF-8 stays
// UTF-8); control characters are escaped.
std::string JsonQuote(std::string_view text);

// The enumerator whose name is `names[enumerator]`; InvalidArgument naming
// `what` and listing the names otherwise. One parser for every enum the
// store names in its rows and its API.
template <typename Enum, std::size_t N>
Result<Enum> ParseName(const std::array<std::string_view, N>& names,
                       std::string_view name, std::string_view what) {
  const auto* found = std::find(names.begin(), names.end(), name);
  if (found != names.end()) {
    return static_cast<Enum>(found - names.begin());
  }
  std::string list;
  for (std::string_view known : names) {
    if (!list.empty()) list += ", ";
    list += known;
  }
  return InvalidArgumentError("unknown " + std::string(what) + " '" +
                              std::string(name) + "' (expected one of " + list +
                              ")");
}

}  // namespace rempart::store::internal

#endif  // REMPART_STORE_STORE_INTERNAL_H_
