// vPDQ frames in the interchange formats: the frames cell of `tsv` and `csv`
// (frames in the reference line form joined by ';') and the lines of a
// `vpdq` file. The line form itself is hash::FormatVpdqFrame's; this file
// only joins, splits and checks the order and count of frames.
// Thread-safe (pure functions).
#ifndef REMPART_INTERCHANGE_FRAMES_H_
#define REMPART_INTERCHANGE_FRAMES_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/core/status.h"
#include "rempart/hash/vpdq.h"
#include "rempart/interchange/format.h"

namespace rempart::interchange {

// Separates frames in a frames cell.
inline constexpr char kFrameSeparator = ';';

// One frame in the reference line form, `frameNumber,quality,pdqHex,
// timestamp`, exactly as hash::ParseVpdq reads a line (no surrounding
// spaces, no line break). InvalidArgument saying why not.
Result<hash::VpdqFrame> ParseFrame(std::string_view text);

// OK when `next` may follow `previous` (a video's frames so far): its frame
// number is greater than the last one's (InvalidArgument otherwise) and
// there are fewer than hash::kMaxVpdqFrames before it (ResourceExhausted
// otherwise).
Status CheckNextFrame(std::span<const hash::VpdqFrame> previous,
                      const hash::VpdqFrame& next);

// Whether `line` has the shape of a frame line: digits, digits, 64 hex
// digits and a decimal (digits, optionally '.' and digits), separated by
// commas. A lexical test for SniffFormat; values are not range-checked.
bool LooksLikeFrameLine(std::string_view line);

}  // namespace rempart::interchange

#endif  // REMPART_INTERCHANGE_FRAMES_H_
