// vPDQ conformance of the video decoder: exact mode's frames, hashed with
// full-resolution PDQ, must give the reference vPDQ's output line for line
// (frame number, quality, hash, timestamp with 3 decimals) on Debian 12's
// FFmpeg (shared/conformance/pdq/video, *.debian12.txt and the 2026
// test-padded-dimensions.txt). The 2022 upstream doorknob hashes come from
// an older FFmpeg and are checked within the matching distance only.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "rempart/hash/pdq.h"
#include "rempart/hash/pdq_hash.h"
#include "rempart/media/video.h"
#include "tests/support/vectors.h"

namespace rempart {
namespace {

using media::VideoDecodeOptions;
using media::VideoFrame;
using media::VideoSource;
using testing::ConformancePath;

// One line of a vPDQ output file: frameNumber,quality,pdqHex,timestamp.
struct VpdqLine {
  std::int64_t frame_number = 0;
  int quality = 0;
  std::string hash;
  std::string timestamp;  // As printed, 3 decimals.

  friend bool operator==(const VpdqLine&, const VpdqLine&) = default;
};

std::ostream& operator<<(std::ostream& out, const VpdqLine& line) {
  return out << line.frame_number << ',' << line.quality << ',' << line.hash
             << ',' << line.timestamp;
}

std::vector<VpdqLine> ReadExpected(const std::string& name) {
  std::ifstream in(ConformancePath("video/" + name));
  std::vector<VpdqLine> lines;
  std::string text;
  while (std::getline(in, text)) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.empty()) continue;
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (std::size_t comma;
         (comma = text.find(',', start)) != std::string::npos;
         start = comma + 1) {
      fields.push_back(text.substr(start, comma - start));
    }
    fields.push_back(text.substr(start));
    if (fields.size() != 4) {
      ADD_FAILURE() << name << ": bad line " << text;
      continue;
    }
    lines.push_back(
        {std::stoll(fields[0]), std::stoi(fields[1]), fields[2], fields[3]});
  }
  return lines;
}

std::string ThreeDecimals(double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3f", seconds);
  return text;
}

// Decodes `video` in exact mode and hashes every delivered frame as vPDQ
// does.
std::vector<VpdqLine> HashVideo(const std::string& video,
                                double seconds_per_frame, int downsample) {
  VideoDecodeOptions options;
  options.seconds_per_frame = seconds_per_frame;
  options.downsample = downsample;
  options.speed = media::VideoSpeed::kExact;
  hash::PdqHasher hasher;
  std::vector<VpdqLine> lines;
  media::VideoReport report;
  const Status status = media::DecodeVideo(
      VideoSource::File(ConformancePath("video/" + video)), options,
      [&](const VideoFrame& frame) -> Status {
        auto pdq =
            hasher.Hash(frame.image, {.mode = hash::PdqMode::kFullResolution});
        if (!pdq) return pdq.error();
        lines.push_back({frame.frame_number, pdq->quality, pdq->hash.ToHex(),
                         ThreeDecimals(frame.timestamp_seconds)});
        return OkStatus();
      },
      &report);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(report.reached_end) << report.problem;
  EXPECT_EQ(report.decode_errors, 0);
  return lines;
}

struct ExactCase {
  std::string video;
  std::string expected;
  double seconds_per_frame;
  int downsample;
};

class VpdqExactTest : public ::testing::TestWithParam<ExactCase> {};

TEST_P(VpdqExactTest, EveryLineIsBitExact) {
  const ExactCase& test = GetParam();
  const std::vector<VpdqLine> expected = ReadExpected(test.expected);
  ASSERT_FALSE(expected.empty())
      << "conformance data not found under " << REMPART_SHARED_DIR;
  const std::vector<VpdqLine> actual =
      HashVideo(test.video, test.seconds_per_frame, test.downsample);
  ASSERT_EQ(actual.size(), expected.size());
  int mismatches = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (actual[i] == expected[i]) continue;
    ++mismatches;
    ADD_FAILURE() << "line " << i + 1 << ": expected " << expected[i]
                  << "\n         got " << actual[i];
  }
  EXPECT_EQ(mismatches, 0);
}

std::string CaseName(const ::testing::TestParamInfo<ExactCase>& info) {
  std::string name =
      info.param.expected.substr(0, info.param.expected.find(".txt"));
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(
    Reference, VpdqExactTest,
    ::testing::Values(ExactCase{"test-padded-dimensions.mp4",
                                "test-padded-dimensions.txt", 0, 0},
                      ExactCase{"test-padded-dimensions.mp4",
                                "test-padded-dimensions-128x128.debian12.txt",
                                0, 128},
                      ExactCase{"doorknob-hd-no-bar.mp4",
                                "doorknob-hd-no-bar.debian12.txt", 0, 0},
                      ExactCase{"doorknob-hd-no-bar.mp4",
                                "doorknob-hd-no-bar-128x128.debian12.txt", 0,
                                128},
                      ExactCase{"doorknob-hd-no-bar.mp4",
                                "doorknob-hd-no-bar-1s.debian12.txt", 1, 0}),
    CaseName);

TEST(VpdqConformanceTest, UpstreamDoorknobWithinMatchingDistance) {
  // Generated upstream in 2022 with another FFmpeg: only close (README).
  const std::vector<VpdqLine> expected = ReadExpected("doorknob-hd-no-bar.txt");
  const std::vector<VpdqLine> actual =
      HashVideo("doorknob-hd-no-bar.mp4", 0, 0);
  ASSERT_EQ(actual.size(), expected.size());
  int compared = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].frame_number, expected[i].frame_number);
    EXPECT_EQ(actual[i].timestamp, expected[i].timestamp);
    if (expected[i].quality < 50 || actual[i].quality < 50) continue;
    auto want = hash::PdqHash::FromHex(expected[i].hash);
    auto got = hash::PdqHash::FromHex(actual[i].hash);
    ASSERT_TRUE(want.has_value() && got.has_value());
    EXPECT_LE(hash::Distance(*want, *got), hash::kPdqMatchDistance)
        << "frame " << expected[i].frame_number;
    ++compared;
  }
  EXPECT_GE(compared, 60);
}

}  // namespace
}  // namespace rempart
