// Decoding videos to the few frames a video hash needs, under hard limits.
//
// Videos are decoded with FFmpeg's libraries (libavformat, libavcodec,
// libswscale) through Rempart's own I/O: FFmpeg never opens a file, a URL
// or a playlist entry by itself, and only the containers and codecs listed
// in docs/VIDEO.md are accepted (MP4/MOV/3GP, Matroska/WebM, AVI, animated
// GIF, MPEG-TS and MPEG-PS; H.264, HEVC, VP8, VP9, AV1, MPEG-4 part 2,
// H.263, MPEG-1/2, MJPEG, GIF, Theora).
//
// Frame selection follows vPDQ (shared/spec/pdq.md §13): with the stream's
// frame rate `fps` (avg_frame_rate, else r_frame_rate), step =
// int(seconds_per_frame · fps), at least 1, and frame n is delivered when
// n % step == 0. Frame numbers count frames in presentation order from 0;
// timestamp = n / fps.
//
// Two ways to get there (VideoSpeed):
//   kExact — every frame is decoded, as the reference does, and delivered
//            frames are converted with libswscale (SWS_AREA) to packed RGB24
//            at the video's size, or s×s when `downsample` is s > 0: PDQ of
//            these frames is bit-identical to the reference vPDQ on the same
//            FFmpeg build.
//   kFast  — decodes only what the delivered frames depend on: frames are
//            numbered by timestamp (n = round((pts - start) · fps)) and the
//            first frame at or past each multiple of step is delivered (the
//            same frames as kExact for constant-rate video); groups of
//            pictures holding no delivered frame never reach the decoder
//            (by the packets' keyframe flags), frames nothing refers to are
//            dropped unless delivered, reference frames not delivered skip
//            the loop filter, and a delivered frame is the luma plane scaled
//            down by area (no colour conversion). Pixels are close to, not
//            equal to, kExact's; docs/VIDEO.md measures speed and distance.
//
// Every input is hostile. Limits (VideoLimits) are checked from the headers
// before decoding and again while decoding. Corrupt or truncated data is
// not an error by itself: what decodes is delivered and the report says
// what was lost (VideoReport). An error Status comes back only when nothing
// usable could be read (not a video, no video stream, unsupported codec),
// when a limit is hit (ResourceExhausted / DeadlineExceeded: frames
// delivered before that were delivered, the report tells how far it got),
// or when the frame callback fails.
//
// Thread-safe: calls share no mutable state. FFmpeg's own log output is
// silenced once per process.
#ifndef REMPART_MEDIA_VIDEO_H_
#define REMPART_MEDIA_VIDEO_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "rempart/core/result.h"
#include "rempart/core/status.h"
#include "rempart/media/image.h"

namespace rempart::media {

struct VideoLimits {
  // Largest input accepted, in bytes.
  std::uint64_t max_file_bytes = 8ull << 30;
  // Longest duration accepted, from the container or the stream, and
  // enforced on timestamps while decoding.
  double max_duration_seconds = 4 * 3600;
  // Largest width or height, and width * height.
  int max_dimension = 8192;
  std::uint64_t max_pixels = 8192ull * 4352;
  // Most frames decoded (not delivered), whatever the timestamps say.
  std::int64_t max_decoded_frames = 2'000'000;
  // Wall-clock budget for the whole decode; zero means none.
  std::chrono::milliseconds max_decode_time{15 * 60 * 1000};
};

enum class VideoSpeed : std::uint8_t {
  kExact,  // Bit-identical frames to the reference vPDQ (see above).
  kFast,   // Only the frames that delivered frames depend on.
};

struct VideoDecodeOptions {
  VideoLimits limits;
  // One frame per this many seconds (vPDQ's default 1); 0: every frame.
  double seconds_per_frame = 1.0;
  // kExact: 0 keeps the video's size; s > 0 scales every delivered frame to
  // s×s (the reference's downsample option; aspect not kept). kFast ignores
  // it and scales so that the shorter side is at least kFastMinSide.
  int downsample = 0;
  VideoSpeed speed = VideoSpeed::kExact;
};

// Smallest shorter side of a kFast frame: PDQ's 64×64 decimation then
// still averages several source pixels per cell.
inline constexpr int kFastMinSide = 256;

struct VideoInfo {
  // FFmpeg's short name of the container, e.g. "mov,mp4,m4a,3gp,3g2,mj2".
  std::string container;
  std::string codec;  // e.g. "h264".
  int width = 0;      // Coded size of the video stream.
  int height = 0;
  double fps = 0;               // The rate used for frame numbers.
  double duration_seconds = 0;  // From the container; 0 when unknown.
};

// One delivered frame. `image` is RGB (kExact) or grey (kFast) and is only
// valid during the callback.
struct VideoFrame {
  std::int64_t frame_number = 0;
  double timestamp_seconds = 0;
  ImageView image;
};

// What happened, including when an error Status was returned after
// decoding started.
struct VideoReport {
  VideoInfo info;
  std::int64_t frames_decoded = 0;    // Frames the decoder produced.
  std::int64_t frames_delivered = 0;  // Frames passed to the callback.
  std::int64_t packets_read = 0;
  std::int64_t packets_skipped = 0;  // Never sent to the decoder (kFast).
  std::int64_t decode_errors = 0;    // Packets or frames the decoder refused.
  // True when the stream was read to its end without a read error, no limit
  // or callback stopped the decode, and a container that declares its frame
  // count held them all (decode errors may still have lost frames: see
  // decode_errors).
  bool reached_end = true;
  // Why decoding stopped early or lost data; empty when nothing was lost.
  std::string problem;
  // Seconds of video covered (timestamp of the last decoded frame).
  double decoded_until_seconds = 0;
};

using VideoFrameCallback = std::function<Status(const VideoFrame& frame)>;
// Called now and then with the seconds of video decoded so far and the
// video's duration from its container (0 when unknown), for progress bars;
// may be empty.
using VideoProgressCallback =
    std::function<void(double seconds_done, double seconds_total)>;

// Where the bytes come from: a file (read through a descriptor of Rempart's
// own, never reopened by name) or memory that outlives the call.
class VideoSource {
 public:
  static VideoSource File(std::string path);
  static VideoSource Memory(std::span<const std::uint8_t> bytes);

  [[nodiscard]] bool is_file() const { return !path_.empty(); }
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::span<const std::uint8_t> bytes() const { return bytes_; }

 private:
  std::string path_;
  std::span<const std::uint8_t> bytes_;
};

// Decodes `source` and calls `on_frame` for every selected frame in
// presentation order. `report`, when given, is filled in whether or not the
// call succeeds.
//
// Errors: InvalidArgument when the bytes are not a readable video (or hold
// no video stream); Unimplemented for a container or codec Rempart does not
// accept; ResourceExhausted when a limit is hit; DeadlineExceeded when
// max_decode_time runs out; NotFound / PermissionDenied for files; the
// callback's own error, which stops decoding.
Status DecodeVideo(const VideoSource& source, const VideoDecodeOptions& options,
                   const VideoFrameCallback& on_frame,
                   VideoReport* report = nullptr,
                   const VideoProgressCallback& progress = {});

// True when the first bytes look like a container DecodeVideo() accepts
// (MP4/MOV/3GP "ftyp" whose brands are not HEIF/AVIF, or an old QuickTime
// top-level atom; Matroska/WebM EBML; AVI "RIFF…AVI "; MPEG-PS pack header;
// MPEG-TS sync bytes at 0, 188 and 376). Animated GIFs are images first:
// callers decide (see rempart::hash::IsVideoInput).
bool LooksLikeVideo(std::span<const std::uint8_t> head);

}  // namespace rempart::media

#endif  // REMPART_MEDIA_VIDEO_H_
