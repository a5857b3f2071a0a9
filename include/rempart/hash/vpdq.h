// vPDQ: the video hash platforms exchange, and how two are compared.
//
// A video's vPDQ is a list of frames (frame number, PDQ quality, PDQ hash,
// timestamp): PDQ in full-resolution mode over frames sampled at one per
// second by default (shared/spec/pdq.md §13, docs/VIDEO.md). Two videos are
// compared as a bag of frames, in both directions:
//   query %  — the query's usable frames within `distance` of some target
//              frame, over the query's usable frames;
//   target % — the target's usable frames within `distance` of some query
//              frame, over the target's usable frames;
// where a usable frame has quality ≥ quality_threshold. Rempart compares
// with distance ≤ D like PDQ everywhere else (the reference C++ matcher
// uses < D; docs/VIDEO.md) and does not de-duplicate identical frames.
// The pair matches when query % ≥ query_percent and target % ≥
// target_percent.
//
// The text form is the reference's, one line per frame:
//   frameNumber,quality,pdqHex,timestampSeconds
// with the timestamp printed with 3 decimals.
//
// Thread-safe: pure functions; a VideoHasher per thread.
#ifndef REMPART_HASH_VPDQ_H_
#define REMPART_HASH_VPDQ_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/hash/pdq_hash.h"

namespace rempart::hash {

struct VpdqFrame {
  std::int64_t frame_number = 0;
  int quality = 0;  // 0…100.
  PdqHash hash;
  double timestamp_seconds = 0;
  friend bool operator==(const VpdqFrame&, const VpdqFrame&) = default;
};

// Most frames one video's hash may hold: four hours at one per second,
// with room to spare. Readers refuse more.
inline constexpr std::size_t kMaxVpdqFrames = 50'000;

// A frame's timestamp is at most this many seconds (about 31 years): far
// past any video, and short enough that its text form is never cut.
inline constexpr double kMaxVpdqTimestampSeconds = 1e9;

// The reference text form, one line per frame, each ending in '\n'.
std::string FormatVpdq(std::span<const VpdqFrame> frames);
// One line, without the line feed.
std::string FormatVpdqFrame(const VpdqFrame& frame);

// Parses the text form. Blank lines and lines starting with '#' are
// skipped; CRLF is accepted. Frame numbers must be non-negative and
// strictly increasing, quality 0…100, the hash 64 hex digits, the timestamp
// a decimal from 0 to kMaxVpdqTimestampSeconds. InvalidArgument naming the line
// and the reason; ResourceExhausted over kMaxVpdqFrames frames. An input
// without frames is InvalidArgument.
Result<std::vector<VpdqFrame>> ParseVpdq(std::string_view text);

struct VpdqMatchOptions {
  int distance = kPdqMatchDistance;              // Frame match: ≤ distance.
  int quality_threshold = kPdqMinUsefulQuality;  // Usable: quality ≥ this.
  double query_percent = 80;                     // 0…100.
  double target_percent = 0;                     // 0…100.
};

struct VpdqComparison {
  std::size_t query_usable = 0;
  std::size_t target_usable = 0;
  std::size_t query_matched = 0;   // Usable query frames with a partner.
  std::size_t target_matched = 0;  // Usable target frames with a partner.
  double query_percent = 0;        // 0 when query_usable == 0.
  double target_percent = 0;       // 0 when target_usable == 0.
  bool match = false;  // Both percentages reach their thresholds, and
                       // each side has at least one usable frame.
};

// Percent of `matched` over `usable` (0 when usable is 0), the one rounding
// rule every comparison uses.
double VpdqPercent(std::size_t matched, std::size_t usable);

// Whether a comparison with these counts matches under `options`.
bool VpdqMatches(const VpdqComparison& comparison,
                 const VpdqMatchOptions& options);

// Compares every usable frame with every usable frame (the reference
// behaviour, quadratic): for tests, tools and small inputs. Indexes give
// the same answer faster (match::Matcher::MatchVideo).
VpdqComparison CompareVpdq(std::span<const VpdqFrame> query,
                           std::span<const VpdqFrame> target,
                           const VpdqMatchOptions& options = {});

}  // namespace rempart::hash

#endif  // REMPART_HASH_VPDQ_H_
