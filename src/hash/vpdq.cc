#include "rempart/hash/vpdq.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace rempart::hash {
namespace {

constexpr std::size_t kMaxVpdqLineBytes = 256;

// The usable frames' indexes into `frames`.
std::vector<std::size_t> Usable(std::span<const VpdqFrame> frames,
                                int quality_threshold) {
  std::vector<std::size_t> usable;
  usable.reserve(frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (frames[i].quality >= quality_threshold) usable.push_back(i);
  }
  return usable;
}

Status LineError(std::size_t line, std::string_view why) {
  return InvalidArgumentError("vPDQ line " + std::to_string(line) + ": " +
                              std::string(why));
}

// Splits `line` at commas into exactly four fields.
bool SplitFour(std::string_view line, std::array<std::string_view, 4>& out) {
  std::size_t field = 0;
  while (true) {
    const std::size_t comma = line.find(',');
    if (field == 3) {
      if (comma != std::string_view::npos) return false;
      out[field] = line;
      return true;
    }
    if (comma == std::string_view::npos) return false;
    out[field++] = line.substr(0, comma);
    line.remove_prefix(comma + 1);
  }
}

template <typename T>
bool ParseInteger(std::string_view text, T& value) {
  if (text.empty()) return false;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

// A plain non-negative decimal: digits, optionally '.' and digits.
bool ParseTimestamp(std::string_view text, double& value) {
  if (text.empty() || text.size() > 32) return false;
  std::size_t dots = 0;
  for (const char c : text) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  if (dots > 1 || text.front() == '.' || text.back() == '.') return false;
  const auto [end, error] = std::from_chars(
      text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  return error == std::errc() && end == text.data() + text.size() &&
         value <= kMaxVpdqTimestampSeconds;
}

}  // namespace

std::string FormatVpdqFrame(const VpdqFrame& frame) {
  std::array<char, 32> timestamp{};
  std::snprintf(timestamp.data(), timestamp.size(), "%.3f",
                frame.timestamp_seconds);
  std::string line = std::to_string(frame.frame_number);
  line += ',';
  line += std::to_string(frame.quality);
  line += ',';
  line += frame.hash.ToHex();
  line += ',';
  line += timestamp.data();
  return line;
}

std::string FormatVpdq(std::span<const VpdqFrame> frames) {
  std::string text;
  text.reserve(frames.size() * 80);
  for (const VpdqFrame& frame : frames) {
    text += FormatVpdqFrame(frame);
    text += '\n';
  }
  return text;
}

Result<std::vector<VpdqFrame>> ParseVpdq(std::string_view text) {
  std::vector<VpdqFrame> frames;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size()
                                                         : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kMaxVpdqLineBytes) {
      return LineError(
          line_number,
          "longer than " + std::to_string(kMaxVpdqLineBytes) + " bytes");
    }
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;

    std::array<std::string_view, 4> fields;
    if (!SplitFour(line, fields)) {
      return LineError(line_number,
                       "expected frameNumber,quality,pdqHex,timestamp");
    }
    VpdqFrame frame;
    if (!ParseInteger(fields[0], frame.frame_number) ||
        frame.frame_number < 0) {
      return LineError(line_number, "frame number is not an integer ≥ 0");
    }
    if (!ParseInteger(fields[1], frame.quality) || frame.quality < 0 ||
        frame.quality > 100) {
      return LineError(line_number, "quality is not an integer 0…100");
    }
    auto hash = PdqHash::FromHex(fields[2]);
    if (!hash) {
      return LineError(line_number, "hash: " + hash.error().message());
    }
    frame.hash = *hash;
    if (!ParseTimestamp(fields[3], frame.timestamp_seconds)) {
      return LineError(line_number,
                       "timestamp is not a decimal from 0 to " +
                           std::to_string(static_cast<std::int64_t>(
                               kMaxVpdqTimestampSeconds)));
    }
    if (!frames.empty() && frame.frame_number <= frames.back().frame_number) {
      return LineError(line_number, "frame numbers must increase");
    }
    if (frames.size() == kMaxVpdqFrames) {
      return ResourceExhaustedError("vPDQ: more than " +
                                    std::to_string(kMaxVpdqFrames) + " frames");
    }
    frames.push_back(frame);
  }
  if (frames.empty()) return InvalidArgumentError("vPDQ: no frames");
  return frames;
}

double VpdqPercent(std::size_t matched, std::size_t usable) {
  if (usable == 0) return 0;
  return 100.0 * static_cast<double>(matched) / static_cast<double>(usable);
}

bool VpdqMatches(const VpdqComparison& comparison,
                 const VpdqMatchOptions& options) {
  return comparison.query_usable > 0 && comparison.target_usable > 0 &&
         comparison.query_percent >= options.query_percent &&
         comparison.target_percent >= options.target_percent;
}

VpdqComparison CompareVpdq(std::span<const VpdqFrame> query,
                           std::span<const VpdqFrame> target,
                           const VpdqMatchOptions& options) {
  const std::vector<std::size_t> query_usable =
      Usable(query, options.quality_threshold);
  const std::vector<std::size_t> target_usable =
      Usable(target, options.quality_threshold);
  std::vector<bool> query_hit(query_usable.size(), false);
  std::vector<bool> target_hit(target_usable.size(), false);
  for (std::size_t q = 0; q < query_usable.size(); ++q) {
    const PdqHash& query_hash = query[query_usable[q]].hash;
    for (std::size_t t = 0; t < target_usable.size(); ++t) {
      if (Distance(query_hash, target[target_usable[t]].hash) <=
          options.distance) {
        query_hit[q] = true;
        target_hit[t] = true;
      }
    }
  }
  VpdqComparison comparison;
  comparison.query_usable = query_usable.size();
  comparison.target_usable = target_usable.size();
  comparison.query_matched = static_cast<std::size_t>(
      std::count(query_hit.begin(), query_hit.end(), true));
  comparison.target_matched = static_cast<std::size_t>(
      std::count(target_hit.begin(), target_hit.end(), true));
  comparison.query_percent =
      VpdqPercent(comparison.query_matched, comparison.query_usable);
  comparison.target_percent =
      VpdqPercent(comparison.target_matched, comparison.target_usable);
  comparison.match = VpdqMatches(comparison, options);
  return comparison;
}

}  // namespace rempart::hash
