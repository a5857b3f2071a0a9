// Video decoding on clips made by tests/fixtures/video/make_clips.sh (the
// CTest fixture video_clips): frame counts, numbers and timestamps for
// known rates and durations in every container, exact against fast mode,
// limits, damaged files, sources and callbacks.
#include "rempart/media/video.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "media/video_internal.h"
#include "rempart/core/deadline.h"

namespace rempart::media {
namespace {

std::string ClipPath(const std::string& name) {
  return std::string(REMPART_VIDEO_CLIPS_DIR) + "/" + name;
}

std::vector<std::uint8_t> ReadClip(const std::string& name) {
  std::ifstream in(ClipPath(name), std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A delivered frame, copied out of the callback.
struct Captured {
  std::int64_t number = 0;
  double seconds = 0;
  int width = 0;
  int height = 0;
  PixelFormat format = PixelFormat::kRgb8;
  std::vector<std::uint8_t> pixels;
};

struct Decoded {
  Status status;
  VideoReport report;
  std::vector<Captured> frames;

  [[nodiscard]] std::vector<std::int64_t> numbers() const {
    std::vector<std::int64_t> out;
    for (const Captured& frame : frames) out.push_back(frame.number);
    return out;
  }
};

VideoDecodeOptions Options(double seconds_per_frame,
                           VideoSpeed speed = VideoSpeed::kExact) {
  VideoDecodeOptions options;
  options.seconds_per_frame = seconds_per_frame;
  options.speed = speed;
  return options;
}

Decoded Decode(const VideoSource& source, const VideoDecodeOptions& options) {
  Decoded decoded;
  decoded.status = DecodeVideo(
      source, options,
      [&](const VideoFrame& frame) {
        EXPECT_TRUE(frame.image.IsValid());
        decoded.frames.push_back(
            {frame.frame_number, frame.timestamp_seconds, frame.image.width,
             frame.image.height, frame.image.format,
             std::vector<std::uint8_t>(frame.image.pixels.begin(),
                                       frame.image.pixels.end())});
        return OkStatus();
      },
      &decoded.report);
  return decoded;
}

Decoded Decode(const std::string& clip, const VideoDecodeOptions& options) {
  return Decode(VideoSource::File(ClipPath(clip)), options);
}

// PDQ's luma of an RGB frame, box-averaged to `width` x `height` (an
// integer factor), for comparing exact frames with fast ones.
std::vector<double> LumaAveraged(const Captured& rgb, int width, int height) {
  const int factor = rgb.width / width;
  std::vector<double> out(static_cast<std::size_t>(width) * height, 0.0);
  for (int y = 0; y < height * factor; ++y) {
    for (int x = 0; x < width * factor; ++x) {
      const std::uint8_t* pixel =
          rgb.pixels.data() + (static_cast<std::size_t>(y) * rgb.width + x) * 3;
      const double luma =
          0.299 * pixel[0] + 0.587 * pixel[1] + 0.114 * pixel[2];
      out[static_cast<std::size_t>(y / factor) * width + x / factor] +=
          luma / (factor * factor);
    }
  }
  return out;
}

double MeanAbsoluteLumaDifference(const Captured& exact, const Captured& fast) {
  EXPECT_EQ(fast.format, PixelFormat::kGray8);
  const std::vector<double> luma = LumaAveraged(exact, fast.width, fast.height);
  double total = 0;
  for (std::size_t i = 0; i < luma.size(); ++i) {
    total += std::fabs(luma[i] - fast.pixels[i]);
  }
  return total / static_cast<double>(luma.size());
}

TEST(VideoClipsTest, FixtureRan) {
  ASSERT_EQ(access(ClipPath("h264.mp4").c_str(), R_OK), 0)
      << "clips missing: run tests/fixtures/video/make_clips.sh "
      << REMPART_VIDEO_CLIPS_DIR << " (CTest's video_clips fixture does)";
}

// A clip of known rate, length and size (see make_clips.sh).
struct Clip {
  std::string name;
  std::string container;
  std::string codec;
  double fps;
  std::int64_t frames;
  int width;
  int height;
};

class VideoClipTest : public ::testing::TestWithParam<Clip> {};

TEST_P(VideoClipTest, ExactModeDeliversEveryFrameInOrder) {
  const Clip& clip = GetParam();
  const Decoded decoded = Decode(clip.name, Options(0));
  ASSERT_TRUE(decoded.status.ok()) << decoded.status.ToString();
  const VideoReport& report = decoded.report;
  EXPECT_EQ(report.info.container, clip.container);
  EXPECT_EQ(report.info.codec, clip.codec);
  EXPECT_EQ(report.info.width, clip.width);
  EXPECT_EQ(report.info.height, clip.height);
  EXPECT_DOUBLE_EQ(report.info.fps, clip.fps);
  EXPECT_NEAR(report.info.duration_seconds,
              static_cast<double>(clip.frames) / clip.fps, 0.1);
  EXPECT_EQ(report.frames_decoded, clip.frames);
  EXPECT_EQ(report.frames_delivered, clip.frames);
  EXPECT_EQ(report.decode_errors, 0);
  EXPECT_EQ(report.packets_skipped, 0);
  EXPECT_TRUE(report.reached_end);
  EXPECT_EQ(report.problem, "");
  EXPECT_NEAR(report.decoded_until_seconds,
              static_cast<double>(clip.frames - 1) / clip.fps, 1e-9);
  ASSERT_EQ(decoded.frames.size(), static_cast<std::size_t>(clip.frames));
  for (std::size_t i = 0; i < decoded.frames.size(); ++i) {
    const Captured& frame = decoded.frames[i];
    EXPECT_EQ(frame.number, static_cast<std::int64_t>(i));
    EXPECT_DOUBLE_EQ(frame.seconds, static_cast<double>(i) / clip.fps);
    EXPECT_EQ(frame.width, clip.width);
    EXPECT_EQ(frame.height, clip.height);
    EXPECT_EQ(frame.format, PixelFormat::kRgb8);
  }
}

TEST_P(VideoClipTest, OneFramePerSecond) {
  const Clip& clip = GetParam();
  const Decoded decoded = Decode(clip.name, Options(1));
  ASSERT_TRUE(decoded.status.ok()) << decoded.status.ToString();
  std::vector<std::int64_t> expected;
  const auto step = static_cast<std::int64_t>(clip.fps);
  for (std::int64_t n = 0; n < clip.frames; n += step) expected.push_back(n);
  EXPECT_EQ(decoded.numbers(), expected);
  EXPECT_EQ(decoded.report.frames_decoded, clip.frames);
}

TEST_P(VideoClipTest, FastModeSelectsTheSameFramesWithCloseLuma) {
  const Clip& clip = GetParam();
  for (const double seconds_per_frame : {1.0, 0.5, 0.0}) {
    SCOPED_TRACE(seconds_per_frame);
    const Decoded exact = Decode(clip.name, Options(seconds_per_frame));
    const Decoded fast =
        Decode(clip.name, Options(seconds_per_frame, VideoSpeed::kFast));
    ASSERT_TRUE(exact.status.ok() && fast.status.ok())
        << exact.status.ToString() << " / " << fast.status.ToString();
    EXPECT_EQ(fast.numbers(), exact.numbers());
    EXPECT_EQ(fast.report.decode_errors, 0);
    EXPECT_TRUE(fast.report.reached_end);
    EXPECT_LE(fast.report.frames_decoded, exact.report.frames_decoded);
    EXPECT_EQ(fast.report.packets_read, exact.report.packets_read);
    if (fast.frames.size() != exact.frames.size()) continue;
    double worst = 0;
    for (std::size_t i = 0; i < fast.frames.size(); ++i) {
      EXPECT_EQ(fast.frames[i].seconds, exact.frames[i].seconds);
      worst = std::max(
          worst, MeanAbsoluteLumaDifference(exact.frames[i], fast.frames[i]));
    }
    // Luma from the Y plane against luma from RGB: rounding in both
    // conversions, and no loop filter on skipped reference frames.
    EXPECT_LT(worst, 3.0) << clip.name;
  }
}

std::string ClipName(const ::testing::TestParamInfo<Clip>& info) {
  std::string name = info.param.name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

constexpr const char* kMp4 = "mov,mp4,m4a,3gp,3g2,mj2";
INSTANTIATE_TEST_SUITE_P(
    Clips, VideoClipTest,
    ::testing::Values(
        Clip{"h264.mp4", kMp4, "h264", 30, 120, 320, 240},
        Clip{"gop15.mp4", kMp4, "h264", 30, 180, 320, 240},
        Clip{"h264.mov", kMp4, "h264", 30, 60, 320, 240},
        Clip{"h264.mkv", "matroska,webm", "h264", 25, 50, 320, 240},
        Clip{"vp9.webm", "matroska,webm", "vp9", 25, 50, 320, 240},
        Clip{"vp8.webm", "matroska,webm", "vp8", 25, 50, 320, 240},
        Clip{"mpeg4.avi", "avi", "mpeg4", 25, 50, 320, 240},
        Clip{"mpeg2.mpg", "mpeg", "mpeg2video", 25, 50, 320, 240},
        Clip{"hevc.mp4", kMp4, "hevc", 30, 90, 320, 240},
        Clip{"av1.mkv", "matroska,webm", "av1", 10, 10, 128, 96},
        Clip{"anim.gif", "gif", "gif", 10, 20, 160, 120},
        Clip{"odd.mp4", kMp4, "h264", 10, 10, 33, 17},
        Clip{"narrow.avi", "avi", "mjpeg", 10, 10, 1, 64}),
    ClipName);

TEST(VideoDecodeTest, FastModeSkipsGroupsWithoutTargets) {
  // Groups of 15 frames, one target every 30: every other group is dropped
  // before the decoder, and the others stop after their keyframe.
  const Decoded fast = Decode("gop15.mp4", Options(1, VideoSpeed::kFast));
  ASSERT_TRUE(fast.status.ok()) << fast.status.ToString();
  EXPECT_EQ(fast.numbers(),
            (std::vector<std::int64_t>{0, 30, 60, 90, 120, 150}));
  EXPECT_EQ(fast.report.packets_read, 180);
  EXPECT_GE(fast.report.packets_skipped, 90);
  EXPECT_LE(fast.report.frames_decoded, 30);
}

TEST(VideoDecodeTest, FastFramesKeepTheShorterSideAtLeastTheMinimum) {
  // 320x240 stays as it is (240 < kFastMinSide); the wide clip is refused
  // by size, so check the rule on the downsample path of exact mode too.
  const Decoded fast = Decode("h264.mp4", Options(1, VideoSpeed::kFast));
  ASSERT_TRUE(fast.status.ok());
  for (const Captured& frame : fast.frames) {
    EXPECT_EQ(frame.width, 320);
    EXPECT_EQ(frame.height, 240);
    EXPECT_EQ(frame.format, PixelFormat::kGray8);
  }
}

TEST(VideoDecodeTest, DownsampleScalesToASquare) {
  VideoDecodeOptions options = Options(1);
  options.downsample = 64;
  const Decoded decoded = Decode("h264.mp4", options);
  ASSERT_TRUE(decoded.status.ok());
  ASSERT_EQ(decoded.frames.size(), 4u);
  for (const Captured& frame : decoded.frames) {
    EXPECT_EQ(frame.width, 64);
    EXPECT_EQ(frame.height, 64);
    EXPECT_EQ(frame.pixels.size(), 64u * 64 * 3);
  }
}

TEST(VideoDecodeTest, PictureSizeChangesMidStream) {
  for (const VideoSpeed speed : {VideoSpeed::kExact, VideoSpeed::kFast}) {
    const Decoded decoded = Decode("resize.ts", Options(0, speed));
    ASSERT_TRUE(decoded.status.ok()) << decoded.status.ToString();
    ASSERT_EQ(decoded.frames.size(), 60u);
    EXPECT_EQ(decoded.frames.front().width, 160);
    EXPECT_EQ(decoded.frames.front().height, 96);
    EXPECT_EQ(decoded.frames.back().width, 320);
    EXPECT_EQ(decoded.frames.back().height, 240);
    EXPECT_EQ(decoded.frames[29].width, 160);
    EXPECT_EQ(decoded.frames[30].width, 320);
    EXPECT_EQ(decoded.frames.back().number, 59);
  }
}

TEST(VideoDecodeTest, VariableFrameRate) {
  // Every third frame of a 30 fps source is missing. Exact mode counts the
  // frames there are (the reference's numbering); fast mode numbers them by
  // time, so the gaps show and every second still gets its frame.
  const Decoded exact = Decode("vfr.mkv", Options(0));
  ASSERT_TRUE(exact.status.ok());
  ASSERT_EQ(exact.frames.size(), 60u);
  EXPECT_EQ(exact.frames.back().number, 59);
  const Decoded fast = Decode("vfr.mkv", Options(0, VideoSpeed::kFast));
  ASSERT_TRUE(fast.status.ok());
  ASSERT_EQ(fast.frames.size(), 60u);
  for (const Captured& frame : fast.frames) {
    EXPECT_NE(frame.number % 3, 2) << frame.number;
  }
  EXPECT_EQ(fast.frames.back().number, 88);
  EXPECT_EQ(Decode("vfr.mkv", Options(1)).numbers(),
            (std::vector<std::int64_t>{0, 30}));
  EXPECT_EQ(Decode("vfr.mkv", Options(1, VideoSpeed::kFast)).numbers(),
            (std::vector<std::int64_t>{0, 30, 60}));
}

TEST(VideoDecodeTest, MemorySourceEqualsFileSource) {
  const std::vector<std::uint8_t> bytes = ReadClip("h264.mp4");
  ASSERT_FALSE(bytes.empty());
  for (const VideoSpeed speed : {VideoSpeed::kExact, VideoSpeed::kFast}) {
    const Decoded from_file = Decode("h264.mp4", Options(1, speed));
    const Decoded from_memory =
        Decode(VideoSource::Memory(bytes), Options(1, speed));
    ASSERT_TRUE(from_file.status.ok() && from_memory.status.ok());
    ASSERT_EQ(from_file.frames.size(), from_memory.frames.size());
    for (std::size_t i = 0; i < from_file.frames.size(); ++i) {
      EXPECT_EQ(from_file.frames[i].number, from_memory.frames[i].number);
      EXPECT_EQ(from_file.frames[i].pixels, from_memory.frames[i].pixels);
    }
  }
}

TEST(VideoDecodeTest, DecodesInParallelThreads) {
  const Decoded alone = Decode("vp9.webm", Options(0.2));
  std::vector<Decoded> results(4);
  std::vector<std::thread> threads;
  for (Decoded& result : results) {
    threads.emplace_back(
        [&result] { result = Decode("vp9.webm", Options(0.2)); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Decoded& result : results) {
    ASSERT_TRUE(result.status.ok());
    ASSERT_EQ(result.frames.size(), alone.frames.size());
    for (std::size_t i = 0; i < alone.frames.size(); ++i) {
      EXPECT_EQ(result.frames[i].pixels, alone.frames[i].pixels);
    }
  }
}

TEST(VideoDecodeTest, CallbackErrorStopsDecoding) {
  VideoReport report;
  int calls = 0;
  const Status status = DecodeVideo(
      VideoSource::File(ClipPath("h264.mp4")), Options(0),
      [&](const VideoFrame&) {
        ++calls;
        return calls == 3 ? InvalidArgumentError("enough") : OkStatus();
      },
      &report);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("enough"), std::string::npos);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(report.frames_delivered, 3);
  EXPECT_FALSE(report.reached_end);
  EXPECT_LT(report.frames_decoded, 120);
}

TEST(VideoDecodeTest, ProgressIsReportedAndGrows) {
  std::vector<double> seen;
  const Status status = DecodeVideo(
      VideoSource::File(ClipPath("h264.mp4")), Options(1),
      [](const VideoFrame&) { return OkStatus(); }, nullptr,
      [&](double seconds, double /*total*/) { seen.push_back(seconds); });
  ASSERT_TRUE(status.ok());
  ASSERT_GE(seen.size(), 3u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_NEAR(seen.back(), 119.0 / 30, 1e-9);
}

TEST(VideoDecodeTest, TruncatedFileDeliversWhatDecodes) {
  for (const VideoSpeed speed : {VideoSpeed::kExact, VideoSpeed::kFast}) {
    const Decoded decoded = Decode("truncated.mp4", Options(1, speed));
    ASSERT_TRUE(decoded.status.ok()) << decoded.status.ToString();
    EXPECT_GE(decoded.frames.size(), 2u);
    EXPECT_LT(decoded.frames.size(), 4u);
    EXPECT_FALSE(decoded.report.reached_end);
    EXPECT_NE(decoded.report.problem.find("truncated"), std::string::npos)
        << decoded.report.problem;
    EXPECT_LT(decoded.report.packets_read, 120);
  }
}

TEST(VideoDecodeTest, CorruptFileDeliversWhatDecodesAndSaysSo) {
  for (const VideoSpeed speed : {VideoSpeed::kExact, VideoSpeed::kFast}) {
    const Decoded decoded = Decode("corrupt.mp4", Options(1, speed));
    ASSERT_TRUE(decoded.status.ok()) << decoded.status.ToString();
    EXPECT_GE(decoded.frames.size(), 2u);
    EXPECT_GT(decoded.report.decode_errors, 0);
    EXPECT_NE(decoded.report.problem, "");
  }
  // Frames before the damage are the intact file's.
  const Decoded intact = Decode("h264.mp4", Options(1));
  const Decoded damaged = Decode("corrupt.mp4", Options(1));
  ASSERT_FALSE(intact.frames.empty() || damaged.frames.empty());
  EXPECT_EQ(intact.frames[0].pixels, damaged.frames[0].pixels);
}

TEST(VideoDecodeTest, NotAVideo) {
  EXPECT_EQ(Decode("audio.m4a", Options(1)).status.code(),
            StatusCode::kInvalidArgument);
  const Decoded empty = Decode("empty.mp4", Options(1));
  EXPECT_EQ(empty.status.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(empty.report.reached_end);
  const std::vector<std::uint8_t> noise(4096, 0x5A);
  EXPECT_EQ(Decode(VideoSource::Memory(noise), Options(1)).status.code(),
            StatusCode::kInvalidArgument);
}

Status DecodeText(const std::string& text) {
  const std::vector<std::uint8_t> bytes(text.begin(), text.end());
  return Decode(VideoSource::Memory(bytes), Options(1)).status;
}

TEST(VideoDecodeTest, ContainersThatOpenOtherFilesAreRefused) {
  const Status concat =
      DecodeText("ffconcat version 1.0\nfile '" + ClipPath("h264.mp4") + "'\n");
  EXPECT_EQ(concat.code(), StatusCode::kUnimplemented) << concat.ToString();
  const Status playlist = DecodeText(
      "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n" +
      ClipPath("resize.ts") + "\n#EXT-X-ENDLIST\n");
  EXPECT_EQ(playlist.code(), StatusCode::kUnimplemented) << playlist.ToString();
  // Nor is a container outside the list.
  EXPECT_EQ(Decode("theora.ogv", Options(1)).status.code(),
            StatusCode::kUnimplemented);
  // A still image is not a video container either.
  std::ifstream in(
      std::string(REMPART_SOURCE_DIR) + "/tests/fixtures/media/rgba.png",
      std::ios::binary);
  const std::vector<std::uint8_t> png{std::istreambuf_iterator<char>(in),
                                      std::istreambuf_iterator<char>()};
  ASSERT_FALSE(png.empty());
  const Status still = Decode(VideoSource::Memory(png), Options(1)).status;
  EXPECT_EQ(still.code(), StatusCode::kUnimplemented) << still.ToString();
}

TEST(VideoDecodeTest, FileErrors) {
  EXPECT_EQ(Decode("no-such-clip.mp4", Options(1)).status.code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Decode(VideoSource::File(REMPART_VIDEO_CLIPS_DIR), Options(1))
                .status.code(),
            StatusCode::kInvalidArgument);
}

TEST(VideoDecodeTest, InvalidOptions) {
  EXPECT_EQ(Decode("h264.mp4", Options(-1)).status.code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Decode("h264.mp4", Options(NAN)).status.code(),
            StatusCode::kInvalidArgument);
  VideoDecodeOptions options = Options(1);
  options.downsample = -2;
  EXPECT_EQ(Decode("h264.mp4", options).status.code(),
            StatusCode::kInvalidArgument);
}

// Every limit gives ResourceExhausted, in both modes.
class VideoLimitTest : public ::testing::TestWithParam<VideoSpeed> {
 protected:
  Decoded DecodeWith(const std::string& clip, void (*set)(VideoLimits&)) {
    VideoDecodeOptions options = Options(0, GetParam());
    set(options.limits);
    return Decode(clip, options);
  }
};

TEST_P(VideoLimitTest, SizeFromTheHeader) {
  EXPECT_EQ(Decode("wide.avi", Options(1, GetParam())).status.code(),
            StatusCode::kResourceExhausted);
  const Decoded small = DecodeWith(
      "h264.mp4", [](VideoLimits& limits) { limits.max_dimension = 300; });
  EXPECT_EQ(small.status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(small.report.frames_decoded, 0);
  EXPECT_EQ(
      DecodeWith("h264.mp4",
                 [](VideoLimits& limits) { limits.max_pixels = 320 * 239; })
          .status.code(),
      StatusCode::kResourceExhausted);
}

TEST_P(VideoLimitTest, SizeOfEveryFrame) {
  // The header describes the first part (160x96); the second part's
  // 320x240 frames are over the limit, which stops the decode there.
  const Decoded decoded = DecodeWith(
      "resize.ts", [](VideoLimits& limits) { limits.max_dimension = 300; });
  EXPECT_EQ(decoded.status.code(), StatusCode::kResourceExhausted)
      << decoded.status.ToString();
  EXPECT_EQ(decoded.frames.size(), 30u);
  EXPECT_FALSE(decoded.report.reached_end);
}

TEST_P(VideoLimitTest, FileBytes) {
  EXPECT_EQ(
      DecodeWith("h264.mp4",
                 [](VideoLimits& limits) { limits.max_file_bytes = 1000; })
          .status.code(),
      StatusCode::kResourceExhausted);
}

TEST_P(VideoLimitTest, Duration) {
  EXPECT_EQ(
      DecodeWith("h264.mp4",
                 [](VideoLimits& limits) { limits.max_duration_seconds = 3; })
          .status.code(),
      StatusCode::kResourceExhausted);
}

TEST_P(VideoLimitTest, DecodedFramesWithPartialOutput) {
  const Decoded decoded = DecodeWith(
      "h264.mp4", [](VideoLimits& limits) { limits.max_decoded_frames = 10; });
  EXPECT_EQ(decoded.status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(decoded.report.frames_decoded, 11);
  EXPECT_GE(decoded.frames.size(), 1u);
  EXPECT_FALSE(decoded.report.reached_end);
  EXPECT_NE(decoded.report.problem, "");
}

TEST_P(VideoLimitTest, Deadline) {
  VideoReport report;
  const Deadline passed = Deadline::After(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const Status status = internal::DecodeVideoWithDeadline(
      VideoSource::File(ClipPath("h264.mp4")), Options(0, GetParam()),
      [](const VideoFrame&) { return OkStatus(); }, &report, {}, passed);
  EXPECT_EQ(status.code(), StatusCode::kDeadlineExceeded) << status.ToString();
  EXPECT_EQ(report.frames_delivered, 0);
  // A deadline that runs out while a frame is being handled.
  int calls = 0;
  const Status late = internal::DecodeVideoWithDeadline(
      VideoSource::File(ClipPath("h264.mp4")), Options(0, GetParam()),
      [&](const VideoFrame&) {
        ++calls;
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        return OkStatus();
      },
      &report, {}, Deadline::After(std::chrono::milliseconds(250)));
  EXPECT_EQ(late.code(), StatusCode::kDeadlineExceeded) << late.ToString();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(report.frames_delivered, 1);
  EXPECT_FALSE(report.reached_end);
}

INSTANTIATE_TEST_SUITE_P(Speeds, VideoLimitTest,
                         ::testing::Values(VideoSpeed::kExact,
                                           VideoSpeed::kFast),
                         [](const ::testing::TestParamInfo<VideoSpeed>& speed) {
                           return speed.param == VideoSpeed::kExact
                                      ? std::string("Exact")
                                      : std::string("Fast");
                         });

std::span<const std::uint8_t> Head(const std::vector<std::uint8_t>& bytes) {
  return std::span<const std::uint8_t>(bytes).first(
      std::min<std::size_t>(bytes.size(), 4096));
}

TEST(LooksLikeVideoTest, ByContent) {
  for (const char* clip : {"h264.mp4", "h264.mov", "h264.mkv", "vp9.webm",
                           "mpeg4.avi", "mpeg2.mpg", "resize.ts"}) {
    EXPECT_TRUE(LooksLikeVideo(Head(ReadClip(clip)))) << clip;
  }
  EXPECT_FALSE(LooksLikeVideo(Head(ReadClip("anim.gif"))));
  EXPECT_FALSE(LooksLikeVideo({}));
  const std::string heic(
      "\0\0\0\x18"
      "ftypheic\0\0\0\0mif1heic",
      24);
  EXPECT_FALSE(LooksLikeVideo(std::span(
      reinterpret_cast<const std::uint8_t*>(heic.data()), heic.size())));
  const std::string png("\x89PNG\r\n\x1A\n", 8);
  EXPECT_FALSE(LooksLikeVideo(std::span(
      reinterpret_cast<const std::uint8_t*>(png.data()), png.size())));
}

}  // namespace
}  // namespace rempart::media
