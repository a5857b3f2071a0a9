// Videos through the real `rempart` binary: hashing (the reference vPDQ
// text, TSV a bank imports, JSON), equality on re-runs, and matching of
// altered copies (re-encoded, resized, trimmed, watermarked) against a bank,
// while an unrelated clip does not match. Clips come from
// tests/fixtures/video/make_clips.sh (CTest's video_clips fixture).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "rempart/hash/vpdq.h"
#include "tests/support/cli_test.h"

namespace rempart {
namespace {

using testing::CommandRun;
using VideoCliTest = testing::CliTest;

std::string Clip(const std::string& name) {
  return std::string(REMPART_VIDEO_CLIPS_DIR) + "/" + name;
}

class VideoBankTest : public testing::CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    data_ = " --data " + (dir_ / "data").string();
    ASSERT_EQ(Rempart("bank create hotline" + data_).exit_code, 0);
    const CommandRun hashed =
        Rempart("hash --format tsv -q " + Clip("orig.mp4"));
    ASSERT_EQ(hashed.exit_code, 0) << hashed.err;
    const auto list = Write("list.tsv", hashed.out);
    const CommandRun imported =
        Rempart("bank import hotline --source-org 'Hotline A' -q " +
                list.string() + data_);
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  // The vpdq match of `clip` against the bank, as JSON.
  nlohmann::json VideoMatch(const std::string& clip,
                            const std::string& flags = "") {
    const CommandRun run =
        Rempart("match --format json -q " + flags + " " + clip + data_);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    const nlohmann::json record = nlohmann::json::parse(run.out);
    for (const nlohmann::json& match : record["matches"]) {
      if (match["kind"] == "vpdq") return match;
    }
    return nullptr;
  }

  std::string data_;
};

TEST_F(VideoCliTest, HashWritesTheReferenceFormAndRerunsAreEqual) {
  const CommandRun first = Rempart("hash " + Clip("orig.mp4"));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(first.out.starts_with("# " + Clip("orig.mp4") + " md5="))
      << first.out;
  auto frames = hash::ParseVpdq(first.out);
  ASSERT_TRUE(frames) << frames.error().ToString();
  // 12 s at 30 fps, one frame a second.
  ASSERT_EQ(frames->size(), 12u);
  for (std::size_t i = 0; i < frames->size(); ++i) {
    EXPECT_EQ((*frames)[i].frame_number, static_cast<std::int64_t>(i) * 30);
    EXPECT_DOUBLE_EQ((*frames)[i].timestamp_seconds, static_cast<double>(i));
    EXPECT_GE((*frames)[i].quality, 50);
  }
  const CommandRun second = Rempart("hash -j 1 " + Clip("orig.mp4"));
  EXPECT_EQ(second.out, first.out);

  // Every frame, and the fast path: same frame numbers, close hashes.
  const CommandRun every = Rempart("hash --every 0 " + Clip("orig.mp4"));
  EXPECT_EQ(hash::ParseVpdq(every.out)->size(), 360u);
  const CommandRun fast = Rempart("hash --fast " + Clip("orig.mp4"));
  auto fast_frames = hash::ParseVpdq(fast.out);
  ASSERT_TRUE(fast_frames) << fast.err;
  ASSERT_EQ(fast_frames->size(), frames->size());
  for (std::size_t i = 0; i < frames->size(); ++i) {
    EXPECT_EQ((*fast_frames)[i].frame_number, (*frames)[i].frame_number);
    EXPECT_LE(hash::Distance((*fast_frames)[i].hash, (*frames)[i].hash), 31)
        << "frame " << i;
  }
}

TEST_F(VideoCliTest, JsonTellsWhatDecodingLost) {
  const CommandRun whole = Rempart("hash --format json " + Clip("orig.mp4"));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const auto record = nlohmann::json::parse(whole.out);
  EXPECT_EQ(record["kind"], "video");
  EXPECT_EQ(record["codec"], "h264");
  EXPECT_EQ(record["width"], 320);
  EXPECT_DOUBLE_EQ(record["fps"].get<double>(), 30.0);
  EXPECT_EQ(record["frames"].size(), 12u);
  EXPECT_EQ(record["decoded"]["complete"], true);
  EXPECT_EQ(record["vpdq"].get<std::string>().size(), 64u);

  const CommandRun cut = Rempart("hash --format json " + Clip("truncated.mp4"));
  ASSERT_EQ(cut.exit_code, 0) << cut.err;
  const auto partial = nlohmann::json::parse(cut.out);
  EXPECT_EQ(partial["decoded"]["complete"], false);
  EXPECT_FALSE(partial["decoded"]["problem"].get<std::string>().empty());
  EXPECT_NE(cut.err.find("hashed what could be decoded"), std::string::npos)
      << cut.err;
}

TEST_F(VideoCliTest, WhatIsNotAVideoFailsClearly) {
  for (const char* name : {"theora.ogv", "audio.m4a", "empty.mp4"}) {
    const CommandRun run = Rempart("hash --as video " + Clip(name));
    EXPECT_EQ(run.exit_code, 1) << name;
    EXPECT_NE(run.err.find(Clip(name)), std::string::npos) << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
  }
  // An animated GIF is a picture unless asked otherwise.
  const CommandRun picture = Rempart("hash " + Clip("anim.gif"));
  EXPECT_EQ(picture.exit_code, 0);
  EXPECT_FALSE(picture.out.starts_with("#"));
  const CommandRun video = Rempart("hash --as video " + Clip("anim.gif"));
  EXPECT_EQ(video.exit_code, 0) << video.err;
  EXPECT_EQ(hash::ParseVpdq(video.out)->size(), 2u);
  // Over a limit: refused, not hashed in part.
  const CommandRun too_long =
      Rempart("hash --max-video-seconds 5 " + Clip("orig.mp4"));
  EXPECT_EQ(too_long.exit_code, 1);
  EXPECT_NE(too_long.err.find("ResourceExhausted"), std::string::npos)
      << too_long.err;
}

TEST_F(VideoBankTest, AlteredCopiesMatchAndAnUnrelatedClipDoesNot) {
  // Each copy against the bank's original, at the default thresholds.
  for (const char* copy : {"orig-reencoded.webm", "orig-small.mp4",
                           "orig-trimmed.mp4", "orig-watermark.mp4"}) {
    const nlohmann::json match = VideoMatch(Clip(copy));
    ASSERT_TRUE(match.is_object()) << copy << " did not match";
    EXPECT_GE(match["query_percent"].get<double>(), 80) << copy;
    EXPECT_EQ(match["source_org"], "Hotline A");
  }
  // A trimmed copy covers part of the original only.
  const nlohmann::json trimmed = VideoMatch(Clip("orig-trimmed.mp4"));
  EXPECT_LT(trimmed["target_percent"].get<double>(), 60);
  EXPECT_TRUE(
      VideoMatch(Clip("orig-trimmed.mp4"), "--target-percent 80").is_null());

  EXPECT_TRUE(VideoMatch(Clip("other.mp4")).is_null());
  const CommandRun text = Rempart("match " + Clip("other.mp4") + data_);
  EXPECT_NE(text.out.find("no match"), std::string::npos) << text.out;
}

TEST_F(VideoBankTest, AVpdqFileAndAScreenshotMatch) {
  const CommandRun hashed = Rempart("hash " + Clip("orig-small.mp4"));
  const auto file = Write("copy.vpdq", hashed.out);
  const CommandRun matched = Rempart("match " + file.string() + data_);
  ASSERT_EQ(matched.exit_code, 0) << matched.err;
  EXPECT_NE(matched.out.find("(vpdq, query 100.0%"), std::string::npos)
      << matched.out;

  // The frame at 4 s, saved as a picture by the fixture script.
  const CommandRun still = Rempart("match " + Clip("orig-4s.png") + data_);
  ASSERT_EQ(still.exit_code, 0) << still.err;
  EXPECT_NE(still.out.find("(vpdq, frame 120 at 4.000 s"), std::string::npos)
      << still.out;

  const auto broken = Write("broken.vpdq", "0,100,abc,0.000\n");
  const CommandRun refused = Rempart("match " + broken.string() + data_);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("vPDQ line 1"), std::string::npos) << refused.err;
}

TEST_F(VideoBankTest, RevokingAVideoStopsItsMatches) {
  const nlohmann::json before = VideoMatch(Clip("orig-small.mp4"));
  ASSERT_TRUE(before.is_object());
  const CommandRun revoked = Rempart("bank revoke hotline --kind vpdq " +
                                     before["value"].get<std::string>() +
                                     " --reason 'appeal upheld'" + data_);
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_TRUE(VideoMatch(Clip("orig-small.mp4")).is_null());
  const CommandRun stats = Rempart("bank stats hotline" + data_);
  EXPECT_NE(stats.out.find("vpdq 0"), std::string::npos) << stats.out;
}

}  // namespace
}  // namespace rempart
