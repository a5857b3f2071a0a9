#include "interchange/frames.h"

#include <array>
#include <string>

#include "interchange/text.h"

namespace rempart::interchange {
namespace {

// hash::ParseVpdq names the line; a single frame has no line of its own.
constexpr std::string_view kFirstLinePrefix = "vPDQ line 1: ";

bool IsDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Result<hash::VpdqFrame> ParseFrame(std::string_view text) {
  if (text.empty()) return InvalidArgumentError("empty frame");
  // hash::ParseVpdq skips comment lines and splits at line breaks; neither
  // belongs inside one frame.
  if (text.front() == '#' || text.find_first_of("\r\n") != text.npos) {
    return InvalidArgumentError(
        "expected frameNumber,quality,pdqHex,timestamp");
  }
  auto frames = hash::ParseVpdq(text);
  if (!frames) {
    std::string_view message = frames.error().message();
    if (message.starts_with(kFirstLinePrefix)) {
      message.remove_prefix(kFirstLinePrefix.size());
    }
    return InvalidArgumentError(std::string(message));
  }
  if (frames->size() != 1) {
    return InvalidArgumentError(
        "expected frameNumber,quality,pdqHex,timestamp");
  }
  return frames->front();
}

Status CheckNextFrame(std::span<const hash::VpdqFrame> previous,
                      const hash::VpdqFrame& next) {
  if (previous.size() >= hash::kMaxVpdqFrames) {
    return ResourceExhaustedError(
        "more than " + std::to_string(hash::kMaxVpdqFrames) + " frames");
  }
  if (!previous.empty() && next.frame_number <= previous.back().frame_number) {
    return InvalidArgumentError(
        "frame numbers must increase (" + std::to_string(next.frame_number) +
        " follows " + std::to_string(previous.back().frame_number) + ")");
  }
  return OkStatus();
}

Result<std::vector<hash::VpdqFrame>> ParseFramesCell(std::string_view cell) {
  std::vector<hash::VpdqFrame> frames;
  std::size_t index = 0;
  while (true) {
    ++index;
    const std::size_t end = cell.find(kFrameSeparator);
    const std::string_view part = Trim(cell.substr(0, end));
    const std::string where = "frame " + std::to_string(index);
    auto frame = ParseFrame(part);
    if (!frame) return frame.error().WithContext(where);
    if (Status next = CheckNextFrame(frames, *frame); !next.ok()) {
      return next.WithContext(where);
    }
    frames.push_back(*frame);
    if (end == std::string_view::npos) return frames;
    cell.remove_prefix(end + 1);
  }
}

std::string FormatFramesCell(std::span<const hash::VpdqFrame> frames) {
  std::string cell;
  cell.reserve(frames.size() * 80);
  for (const hash::VpdqFrame& frame : frames) {
    if (!cell.empty()) cell += kFrameSeparator;
    cell += hash::FormatVpdqFrame(frame);
  }
  return cell;
}

bool LooksLikeFrameLine(std::string_view line) {
  std::array<std::string_view, 4> fields;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::size_t comma = line.find(',');
    if ((comma == std::string_view::npos) != (i == fields.size() - 1)) {
      return false;
    }
    fields[i] = line.substr(0, comma);
    line.remove_prefix(comma == std::string_view::npos ? line.size()
                                                       : comma + 1);
  }
  const std::string_view timestamp = fields[3];
  const std::size_t dot = timestamp.find('.');
  const bool decimal = dot == std::string_view::npos
                           ? IsDigits(timestamp)
                           : IsDigits(timestamp.substr(0, dot)) &&
                                 IsDigits(timestamp.substr(dot + 1));
  return IsDigits(fields[0]) && IsDigits(fields[1]) && fields[2].size() == 64 &&
         IsAllHex(fields[2]) && decimal;
}

}  // namespace rempart::interchange
