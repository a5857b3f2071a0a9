// Video decoding for vPDQ (spec §13): which frames, decoded how.
//
// Exact mode is the reference's loop: every packet of the video stream goes
// to a single-threaded decoder, every frame it returns is counted (frame n
// is the n-th frame out of the decoder, from 0), and frame n is delivered
// when n % step == 0, converted by libswscale to RGB24 with SWS_AREA from
// the frame's own pixel format with swscale's default colour tables — the
// same calls the reference makes, so the pixels are the same bytes.
//
// Fast mode numbers frames by time instead, n = round((pts - start) · fps),
// so that a frame can be skipped without losing count, and delivers the
// first frame with n at or past the next multiple of step (the same frames
// as exact mode for constant-rate video; for variable-rate video, one frame
// per step all the same). It then decodes as little as it can:
//
//   * Packets are gathered one group of pictures at a time: a keyframe
//     packet and everything up to the next one, in decode order. With the
//     whole group in hand, the frames to deliver from it (the "plan") follow
//     from the packets' timestamps.
//   * A group that delivers nothing is dropped without reaching the
//     decoder, which is drained and flushed across the gap.
//   * In a group that does deliver, packets after the last delivered one (in
//     decode order) are dropped — later packets cannot be references for
//     earlier ones — and packets not delivered are decoded with skip_frame =
//     AVDISCARD_NONREF: a frame no other frame refers to cannot change the
//     delivered ones, so skipping it is exact. Reference frames that are not
//     delivered are decoded without the loop filter (inexact, but they only
//     serve as prediction sources; docs/VIDEO.md measures the difference).
//   * When the next target lies before the next keyframe in display order
//     but after this group's frames (an open GOP: the next group's leading
//     pictures refer back into this one), the group is decoded to its end.
//   * After a gap, the first frame out of the decoder must be a keyframe,
//     else the container's keyframe flags are not trusted: skipping stops
//     and nothing is delivered until the decoder reports a keyframe. Frames
//     displayed before the restart keyframe are never delivered, and
//     neither is a frame the decoder flags as corrupt.
//
// A group is buffered in memory up to kMaxGroupBytes; a larger one is
// decoded as it is read, with the next target decided frame by frame.
//
// Delivered fast frames are the luma plane, box-averaged by an integer
// factor so that the shorter side stays at least kFastMinSide, and
// stretched from video range (16–235) to full range, since PDQ's luma of
// the RGB picture is full range too. Pixel formats other than 8-bit planar
// YUV or grey go through libswscale to GRAY8 instead.
#include "rempart/media/video.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "media/video_ffmpeg.h"
#include "media/video_input.h"
#include "media/video_internal.h"
#include "rempart/media/decode.h"

namespace rempart::media {
namespace internal {
namespace {

// Video codecs Rempart decodes (docs/VIDEO.md).
constexpr AVCodecID kVideoCodecs[] = {
    AV_CODEC_ID_H264,       AV_CODEC_ID_HEVC,       AV_CODEC_ID_VP8,
    AV_CODEC_ID_VP9,        AV_CODEC_ID_AV1,        AV_CODEC_ID_MPEG4,
    AV_CODEC_ID_MSMPEG4V1,  AV_CODEC_ID_MSMPEG4V2,  AV_CODEC_ID_MSMPEG4V3,
    AV_CODEC_ID_MPEG1VIDEO, AV_CODEC_ID_MPEG2VIDEO, AV_CODEC_ID_MJPEG,
    AV_CODEC_ID_GIF,        AV_CODEC_ID_THEORA,     AV_CODEC_ID_H263,
};
// Audio codecs whose decoders may run while the container's streams are
// probed (avformat_find_stream_info), so that files with common sound
// tracks open as they do in the reference. Audio is never decoded after.
constexpr AVCodecID kProbeAudioCodecs[] = {
    AV_CODEC_ID_AAC,       AV_CODEC_ID_MP3,       AV_CODEC_ID_MP2,
    AV_CODEC_ID_OPUS,      AV_CODEC_ID_VORBIS,    AV_CODEC_ID_AC3,
    AV_CODEC_ID_EAC3,      AV_CODEC_ID_FLAC,      AV_CODEC_ID_ALAC,
    AV_CODEC_ID_PCM_S16LE, AV_CODEC_ID_PCM_S16BE, AV_CODEC_ID_PCM_U8,
    AV_CODEC_ID_PCM_S24LE, AV_CODEC_ID_PCM_F32LE, AV_CODEC_ID_PCM_ALAW,
    AV_CODEC_ID_PCM_MULAW, AV_CODEC_ID_AMR_NB,    AV_CODEC_ID_AMR_WB,
};

// Largest group of pictures held in memory by fast mode.
constexpr std::size_t kMaxGroupBytes = 64u << 20;
constexpr std::size_t kMaxGroupPackets = 4096;
// Consecutive demuxer errors tolerated before reading stops.
constexpr int kMaxReadErrors = 32;
// Consecutive decoder errors tolerated while draining one packet.
constexpr int kMaxReceiveErrors = 16;
// Fast mode decodes reference frames it does not deliver without the loop
// filter.
constexpr bool kSkipLoopFilterOnReferences = true;

template <std::size_t N>
bool Contains(const AVCodecID (&list)[N], AVCodecID id) {
  return std::find(std::begin(list), std::end(list), id) != std::end(list);
}

// The comma-separated names of every decoder for the accepted codecs, for
// FFmpeg's codec_whitelist.
std::string DecoderNames(bool with_probe_audio) {
  std::string names;
  void* iterator = nullptr;
  while (const AVCodec* codec = av_codec_iterate(&iterator)) {
    if (av_codec_is_decoder(codec) == 0) continue;
    if (!Contains(kVideoCodecs, codec->id) &&
        !(with_probe_audio && Contains(kProbeAudioCodecs, codec->id))) {
      continue;
    }
    if (!names.empty()) names += ',';
    names += codec->name;
  }
  return names;
}

void SilenceFfmpegOnce() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

bool IsKeyFrame(const AVFrame& frame) {
#ifdef AV_FRAME_FLAG_KEY
  if ((frame.flags & AV_FRAME_FLAG_KEY) != 0) return true;
#else
  if (frame.key_frame != 0) return true;
#endif
  return frame.pict_type == AV_PICTURE_TYPE_I;
}

bool IsCorrupt(const AVFrame& frame) {
  return frame.decode_error_flags != 0 ||
         (frame.flags & AV_FRAME_FLAG_CORRUPT) != 0;
}

Status DeadlineError() {
  return DeadlineExceededError("video decode time limit exceeded");
}

class Decoder {
 public:
  Decoder(const VideoDecodeOptions& options, const VideoFrameCallback& on_frame,
          const VideoProgressCallback& progress, const Deadline& deadline,
          VideoReport& report)
      : options_(options),
        on_frame_(on_frame),
        progress_(progress),
        deadline_(deadline),
        report_(report),
        fast_(options.speed == VideoSpeed::kFast) {}

  Status Run(const VideoSource& source) {
    REMPART_RETURN_IF_ERROR(Open(source));
    Status read = ReadAll();
    if (progress_) {
      progress_(report_.decoded_until_seconds, report_.info.duration_seconds);
    }
    if (report_.problem.empty() && report_.decode_errors > 0) {
      report_.problem = std::to_string(report_.decode_errors) +
                        " packets or frames could not be decoded";
    }
    return read;
  }

 private:
  // One packet of the group fast mode holds, and its frame number.
  struct QueuedPacket {
    PacketPtr packet;
    std::optional<std::int64_t> number;
  };

  Status Open(const VideoSource& source);
  Status OpenStream();
  Status OpenDecoder();
  Status ReadAll();
  Status CheckTruncation();

  // Sends `packet` (nullptr: end of stream) and handles every frame that
  // comes out.
  Status Send(const AVPacket* packet);
  Status ReceiveAll();
  Status OnFrame(const AVFrame& frame);
  Status DeliverExact(const AVFrame& frame, std::int64_t number);
  Status DeliverFast(const AVFrame& frame, std::int64_t number);
  Status Deliver(const ImageView& image, std::int64_t number);

  // Fast mode.
  Status AddToGroup(PacketPtr packet);
  Status CloseGroup(std::optional<std::int64_t> next_key_number, bool at_end);
  Status SendQueued(const AVPacket& packet, bool delivered);
  Status DrainAndFlush();
  [[nodiscard]] std::optional<std::int64_t> FrameNumberOf(
      std::int64_t timestamp) const;
  [[nodiscard]] std::int64_t NextTarget(std::int64_t number) const;

  void NoteProblem(std::string problem) {
    if (report_.problem.empty()) report_.problem = std::move(problem);
  }

  const VideoDecodeOptions& options_;
  const VideoFrameCallback& on_frame_;
  const VideoProgressCallback& progress_;
  const Deadline deadline_;
  VideoReport& report_;
  const bool fast_;

  std::unique_ptr<VideoInput> input_;
  AVStream* stream_ = nullptr;
  CodecContextPtr codec_;
  FramePtr frame_;
  FramePtr rgb_;
  SwsContextPtr sws_;
  std::vector<std::uint8_t> grey_;
  double fps_ = 0;
  std::int64_t step_ = 1;
  double last_progress_seconds_ = 0;

  // Fast mode state.
  std::int64_t origin_ = AV_NOPTS_VALUE;  // Timestamp of frame 0.
  std::int64_t next_target_ = 0;          // Next frame number to deliver.
  std::int64_t planned_target_ = 0;       // The same, once queued packets run.
  std::int64_t last_number_ = -1;
  std::vector<QueuedPacket> group_;
  std::size_t group_bytes_ = 0;
  bool group_streaming_ = false;  // The group outgrew the buffer.
  bool sent_since_flush_ = false;
  bool restart_pending_ = false;  // The next packet sent follows a gap.
  std::int64_t restart_timestamp_ = AV_NOPTS_VALUE;
  bool check_restart_ = false;  // The next frame out must be a keyframe.
  bool first_frame_ = true;
  bool wait_for_keyframe_ = false;
  bool trust_keyframes_ = true;
  std::int64_t corrupt_packets_ = 0;
};

Status Decoder::Open(const VideoSource& source) {
  auto input =
      VideoInput::Open(source, options_.limits.max_file_bytes, deadline_);
  if (!input) return input.error();
  input_ = *std::move(input);
  report_.info.container = input_->format()->iformat->name;
  REMPART_RETURN_IF_ERROR(OpenStream());
  return OpenDecoder();
}

Status Decoder::OpenStream() {
  AVFormatContext* format = input_->format();
  const std::string probe_names = DecoderNames(/*with_probe_audio=*/true);
  format->codec_whitelist = av_strdup(probe_names.c_str());
  if (format->codec_whitelist == nullptr) {
    return ResourceExhaustedError("out of memory");
  }
  const int found = avformat_find_stream_info(format, nullptr);
  if (deadline_.Expired()) return DeadlineError();
  if (found < 0) {
    return InvalidArgumentError("cannot read the streams: " +
                                AvErrorText(found));
  }
  // The first video stream that is not a cover picture.
  for (unsigned i = 0; i < format->nb_streams; ++i) {
    AVStream* stream = format->streams[i];
    if (stream->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
        (stream->disposition & AV_DISPOSITION_ATTACHED_PIC) == 0 &&
        stream_ == nullptr) {
      stream_ = stream;
    } else {
      stream->discard = AVDISCARD_ALL;
    }
  }
  if (stream_ == nullptr) return InvalidArgumentError("no video stream");

  const AVCodecParameters& parameters = *stream_->codecpar;
  VideoInfo& info = report_.info;
  info.codec = avcodec_get_name(parameters.codec_id);
  info.width = parameters.width;
  info.height = parameters.height;
  if (format->duration != AV_NOPTS_VALUE && format->duration > 0) {
    info.duration_seconds =
        static_cast<double>(format->duration) / AV_TIME_BASE;
  }
  const VideoLimits& limits = options_.limits;
  double stream_duration = 0;
  if (stream_->duration != AV_NOPTS_VALUE && stream_->duration > 0) {
    stream_duration =
        static_cast<double>(stream_->duration) * av_q2d(stream_->time_base);
  }
  if (std::max(info.duration_seconds, stream_duration) >
      limits.max_duration_seconds) {
    return ResourceExhaustedError(
        "video lasts " +
        std::to_string(std::max(info.duration_seconds, stream_duration)) +
        " s, over the limit of " + std::to_string(limits.max_duration_seconds) +
        " s");
  }
  if (!Contains(kVideoCodecs, parameters.codec_id)) {
    return UnimplementedError("video codec '" + info.codec +
                              "' is not accepted");
  }
  if (parameters.width <= 0 || parameters.height <= 0) {
    return InvalidArgumentError("video stream has no picture size");
  }
  if (parameters.width > limits.max_dimension ||
      parameters.height > limits.max_dimension ||
      static_cast<std::uint64_t>(parameters.width) *
              static_cast<std::uint64_t>(parameters.height) >
          limits.max_pixels) {
    return ResourceExhaustedError(
        "video of " + std::to_string(parameters.width) + "x" +
        std::to_string(parameters.height) + " exceeds the size limits");
  }

  // Frame rate and step as the reference computes them (spec §13).
  AVRational rate = stream_->avg_frame_rate;
  if (rate.num == 0 || rate.den == 0) rate = stream_->r_frame_rate;
  if (rate.num <= 0 || rate.den <= 0) {
    return InvalidArgumentError("video frame rate is unknown");
  }
  fps_ = av_q2d(rate);
  info.fps = fps_;
  const double step = options_.seconds_per_frame * fps_;
  step_ = step >= 9e15
              ? std::numeric_limits<std::int64_t>::max()
              : std::max<std::int64_t>(1, static_cast<std::int64_t>(step));
  origin_ = stream_->start_time;
  return OkStatus();
}

Status Decoder::OpenDecoder() {
  const AVCodecParameters& parameters = *stream_->codecpar;
  const AVCodec* codec = avcodec_find_decoder(parameters.codec_id);
  if (codec == nullptr) {
    return UnimplementedError("no decoder for video codec '" +
                              report_.info.codec + "'");
  }
  codec_.reset(avcodec_alloc_context3(codec));
  frame_.reset(av_frame_alloc());
  if (!codec_ || !frame_) return ResourceExhaustedError("out of memory");
  const int copied = avcodec_parameters_to_context(codec_.get(), &parameters);
  if (copied < 0) {
    return InvalidArgumentError("bad video parameters: " + AvErrorText(copied));
  }
  // One thread: the reference's frame order and pixels, and no threads of
  // FFmpeg's own inside a Rempart worker.
  codec_->thread_count = 1;
  codec_->pkt_timebase = stream_->time_base;
  codec_->max_pixels = static_cast<std::int64_t>(std::min<std::uint64_t>(
      options_.limits.max_pixels, std::numeric_limits<std::int64_t>::max()));
  codec_->codec_whitelist =
      av_strdup(DecoderNames(/*with_probe_audio=*/false).c_str());
  if (codec_->codec_whitelist == nullptr) {
    return ResourceExhaustedError("out of memory");
  }
  const int opened = avcodec_open2(codec_.get(), codec, nullptr);
  if (opened < 0) {
    return InvalidArgumentError("cannot open the " + report_.info.codec +
                                " decoder: " + AvErrorText(opened));
  }
  return OkStatus();
}

Status Decoder::ReadAll() {
  AVFormatContext* format = input_->format();
  PacketPtr packet(av_packet_alloc());
  if (!packet) return ResourceExhaustedError("out of memory");
  int read_errors = 0;
  for (;;) {
    if (deadline_.Expired()) return DeadlineError();
    const int read = av_read_frame(format, packet.get());
    if (read == AVERROR_EOF) break;
    if (read < 0) {
      if (deadline_.Expired()) return DeadlineError();
      if (read == AVERROR(ENOMEM))
        return ResourceExhaustedError("out of memory");
      if (input_->read_failed() || avio_feof(format->pb) != 0 ||
          ++read_errors > kMaxReadErrors) {
        report_.reached_end = false;
        NoteProblem("reading stopped: " + AvErrorText(read));
        break;
      }
      continue;
    }
    read_errors = 0;
    if (packet->stream_index != stream_->index) {
      av_packet_unref(packet.get());
      continue;
    }
    ++report_.packets_read;
    if ((packet->flags & AV_PKT_FLAG_CORRUPT) != 0) ++corrupt_packets_;
    if (fast_) {
      REMPART_RETURN_IF_ERROR(AddToGroup(std::move(packet)));
      packet.reset(av_packet_alloc());
      if (!packet) return ResourceExhaustedError("out of memory");
    } else {
      const Status sent = Send(packet.get());
      av_packet_unref(packet.get());
      REMPART_RETURN_IF_ERROR(sent);
    }
  }
  if (fast_) {
    REMPART_RETURN_IF_ERROR(CloseGroup(std::nullopt, /*at_end=*/true));
  }
  REMPART_RETURN_IF_ERROR(Send(nullptr));
  return CheckTruncation();
}

// A container that declares its frame count (MP4, AVI) and holds fewer
// packets was cut short or damaged.
Status Decoder::CheckTruncation() {
  if (corrupt_packets_ > 0) {
    NoteProblem(std::to_string(corrupt_packets_) +
                " packets were truncated or damaged");
  }
  if (stream_->nb_frames > 0 && report_.packets_read < stream_->nb_frames) {
    report_.reached_end = false;
    NoteProblem("the stream ended after " +
                std::to_string(report_.packets_read) + " of " +
                std::to_string(stream_->nb_frames) +
                " frames (truncated file?)");
  }
  return OkStatus();
}

Status Decoder::Send(const AVPacket* packet) {
  if (packet == nullptr && !sent_since_flush_) return OkStatus();
  int sent = avcodec_send_packet(codec_.get(), packet);
  if (sent == AVERROR(EAGAIN)) {
    REMPART_RETURN_IF_ERROR(ReceiveAll());
    sent = avcodec_send_packet(codec_.get(), packet);
  }
  if (sent == AVERROR(ENOMEM)) return ResourceExhaustedError("out of memory");
  if (sent < 0 && sent != AVERROR_EOF) ++report_.decode_errors;
  if (packet != nullptr) sent_since_flush_ = true;
  return ReceiveAll();
}

Status Decoder::ReceiveAll() {
  int errors = 0;
  for (;;) {
    const int received = avcodec_receive_frame(codec_.get(), frame_.get());
    if (received == AVERROR(EAGAIN) || received == AVERROR_EOF) {
      return OkStatus();
    }
    if (received == AVERROR(ENOMEM)) {
      return ResourceExhaustedError("out of memory");
    }
    if (received < 0) {
      ++report_.decode_errors;
      if (++errors > kMaxReceiveErrors) return OkStatus();
      continue;
    }
    const Status handled = OnFrame(*frame_);
    av_frame_unref(frame_.get());
    REMPART_RETURN_IF_ERROR(handled);
    if (deadline_.Expired()) return DeadlineError();
  }
}

Status Decoder::OnFrame(const AVFrame& frame) {
  ++report_.frames_decoded;
  const VideoLimits& limits = options_.limits;
  if (report_.frames_decoded > limits.max_decoded_frames) {
    return ResourceExhaustedError("more than " +
                                  std::to_string(limits.max_decoded_frames) +
                                  " frames decoded");
  }
  if (frame.width <= 0 || frame.height <= 0 || frame.format < 0) {
    ++report_.decode_errors;
    return OkStatus();
  }
  if (frame.width > limits.max_dimension ||
      frame.height > limits.max_dimension ||
      static_cast<std::uint64_t>(frame.width) *
              static_cast<std::uint64_t>(frame.height) >
          limits.max_pixels) {
    return ResourceExhaustedError("a frame of " + std::to_string(frame.width) +
                                  "x" + std::to_string(frame.height) +
                                  " exceeds the size limits");
  }

  std::int64_t number = report_.frames_decoded - 1;
  const std::int64_t timestamp = frame.best_effort_timestamp;
  if (fast_) {
    if (origin_ == AV_NOPTS_VALUE) origin_ = timestamp;
    const std::optional<std::int64_t> from_time = FrameNumberOf(timestamp);
    number = from_time ? *from_time : last_number_ + 1;
  }
  last_number_ = number;
  const double seconds = static_cast<double>(number) / fps_;
  if (seconds > limits.max_duration_seconds) {
    return ResourceExhaustedError("video runs past the duration limit of " +
                                  std::to_string(limits.max_duration_seconds) +
                                  " s");
  }
  report_.decoded_until_seconds =
      std::max(report_.decoded_until_seconds, seconds);
  if (progress_ &&
      report_.decoded_until_seconds >= last_progress_seconds_ + 1) {
    last_progress_seconds_ = report_.decoded_until_seconds;
    progress_(report_.decoded_until_seconds, report_.info.duration_seconds);
  }

  if (!fast_) {
    if (number % step_ != 0) return OkStatus();
    return DeliverExact(frame, number);
  }

  // Fast mode: only frames that can be trusted are delivered.
  if (check_restart_) {
    if (timestamp != AV_NOPTS_VALUE && restart_timestamp_ != AV_NOPTS_VALUE &&
        timestamp < restart_timestamp_) {
      return OkStatus();  // A leading picture of an open GOP.
    }
    check_restart_ = false;
    if (!IsKeyFrame(frame)) {
      trust_keyframes_ = false;
      wait_for_keyframe_ = true;
    }
  }
  if (first_frame_) {
    first_frame_ = false;
    if (!IsKeyFrame(frame)) wait_for_keyframe_ = true;
  }
  if (wait_for_keyframe_) {
    if (!IsKeyFrame(frame)) return OkStatus();
    wait_for_keyframe_ = false;
  }
  if (number < next_target_) return OkStatus();
  if (IsCorrupt(frame)) {
    ++report_.decode_errors;
    return OkStatus();
  }
  return DeliverFast(frame, number);
}

Status Decoder::Deliver(const ImageView& image, std::int64_t number) {
  const VideoFrame delivered{
      .frame_number = number,
      .timestamp_seconds = static_cast<double>(number) / fps_,
      .image = image};
  ++report_.frames_delivered;
  return on_frame_(delivered);
}

Status Decoder::DeliverExact(const AVFrame& frame, std::int64_t number) {
  const int width = options_.downsample > 0 ? options_.downsample : frame.width;
  const int height =
      options_.downsample > 0 ? options_.downsample : frame.height;
  sws_.reset(sws_getCachedContext(sws_.release(), frame.width, frame.height,
                                  static_cast<AVPixelFormat>(frame.format),
                                  width, height, AV_PIX_FMT_RGB24, SWS_AREA,
                                  nullptr, nullptr, nullptr));
  if (!sws_) {
    ++report_.decode_errors;
    NoteProblem(std::string("cannot convert pixel format ") +
                av_get_pix_fmt_name(static_cast<AVPixelFormat>(frame.format)));
    return OkStatus();
  }
  // A packed RGB24 frame, allocated as the reference does (alignment 1).
  if (!rgb_ || rgb_->width != width || rgb_->height != height) {
    rgb_.reset(av_frame_alloc());
    if (!rgb_) return ResourceExhaustedError("out of memory");
    rgb_->format = AV_PIX_FMT_RGB24;
    rgb_->width = width;
    rgb_->height = height;
    const int allocated = av_frame_get_buffer(rgb_.get(), 1);
    if (allocated < 0) {
      rgb_.reset();
      return ResourceExhaustedError("cannot allocate a frame: " +
                                    AvErrorText(allocated));
    }
  }
  const int rows = sws_scale(sws_.get(), frame.data, frame.linesize, 0,
                             frame.height, rgb_->data, rgb_->linesize);
  if (rows <= 0) {
    ++report_.decode_errors;
    return OkStatus();
  }
  const std::size_t row_bytes = static_cast<std::size_t>(width) * 3;
  if (static_cast<std::size_t>(rgb_->linesize[0]) != row_bytes) {
    return InternalError("RGB frame rows are not packed");
  }
  const ImageView view{
      .width = width,
      .height = height,
      .format = PixelFormat::kRgb8,
      .pixels = {rgb_->data[0], row_bytes * static_cast<std::size_t>(height)}};
  return Deliver(view, number);
}

Status Decoder::DeliverFast(const AVFrame& frame, std::int64_t number) {
  const int factor =
      std::max(1, std::min(frame.width, frame.height) / kFastMinSide);
  const int width = frame.width / factor;
  const int height = frame.height / factor;
  grey_.resize(static_cast<std::size_t>(width) *
               static_cast<std::size_t>(height));

  const auto format = static_cast<AVPixelFormat>(frame.format);
  const AVPixFmtDescriptor* descriptor = av_pix_fmt_desc_get(format);
  const bool planar_8bit =
      descriptor != nullptr &&
      (descriptor->flags &
       (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_HWACCEL |
        AV_PIX_FMT_FLAG_BE | AV_PIX_FMT_FLAG_FLOAT)) == 0 &&
      (descriptor->nb_components == 1 ||
       (descriptor->flags & AV_PIX_FMT_FLAG_PLANAR) != 0) &&
      descriptor->comp[0].plane == 0 && descriptor->comp[0].step == 1 &&
      descriptor->comp[0].depth == 8 && descriptor->comp[0].shift == 0 &&
      descriptor->comp[0].offset == 0;
  if (planar_8bit) {
    // Luma plane: box average, then video range to full range.
    const bool jpeg_format =
        format == AV_PIX_FMT_YUVJ420P || format == AV_PIX_FMT_YUVJ422P ||
        format == AV_PIX_FMT_YUVJ444P || format == AV_PIX_FMT_YUVJ440P ||
        format == AV_PIX_FMT_YUVJ411P;
    const bool full_range = frame.color_range == AVCOL_RANGE_JPEG ||
                            jpeg_format ||
                            (descriptor->nb_components == 1 &&
                             frame.color_range != AVCOL_RANGE_MPEG);
    std::uint8_t table[256];
    for (int value = 0; value < 256; ++value) {
      const int stretched =
          full_range ? value : ((value - 16) * 255 * 2 + 219) / (219 * 2);
      table[value] = static_cast<std::uint8_t>(std::clamp(stretched, 0, 255));
    }
    const int area = factor * factor;
    std::vector<std::uint32_t> sums(static_cast<std::size_t>(width));
    for (int y = 0; y < height; ++y) {
      std::fill(sums.begin(), sums.end(), 0);
      for (int dy = 0; dy < factor; ++dy) {
        const std::uint8_t* source =
            frame.data[0] +
            static_cast<std::ptrdiff_t>(y * factor + dy) * frame.linesize[0];
        for (int x = 0; x < width; ++x) {
          std::uint32_t sum = 0;
          for (int dx = 0; dx < factor; ++dx) sum += source[x * factor + dx];
          sums[static_cast<std::size_t>(x)] += sum;
        }
      }
      std::uint8_t* out = grey_.data() + static_cast<std::size_t>(y) *
                                             static_cast<std::size_t>(width);
      for (int x = 0; x < width; ++x) {
        const std::uint32_t mean =
            (sums[static_cast<std::size_t>(x)] + area / 2) / area;
        out[x] = table[mean];
      }
    }
  } else {
    sws_.reset(sws_getCachedContext(sws_.release(), frame.width, frame.height,
                                    format, width, height, AV_PIX_FMT_GRAY8,
                                    SWS_AREA, nullptr, nullptr, nullptr));
    if (!sws_) {
      ++report_.decode_errors;
      NoteProblem(std::string("cannot convert pixel format ") +
                  av_get_pix_fmt_name(format));
      return OkStatus();
    }
    // Full-range grey out, whatever range comes in.
    int* inverse_table = nullptr;
    int source_range = 0;
    int* table = nullptr;
    int destination_range = 0;
    int brightness = 0;
    int contrast = 0;
    int saturation = 0;
    if (sws_getColorspaceDetails(sws_.get(), &inverse_table, &source_range,
                                 &table, &destination_range, &brightness,
                                 &contrast, &saturation) >= 0) {
      sws_setColorspaceDetails(sws_.get(), inverse_table, source_range, table,
                               1, brightness, contrast, saturation);
    }
    std::uint8_t* planes[4] = {grey_.data(), nullptr, nullptr, nullptr};
    int strides[4] = {width, 0, 0, 0};
    if (sws_scale(sws_.get(), frame.data, frame.linesize, 0, frame.height,
                  planes, strides) <= 0) {
      ++report_.decode_errors;
      return OkStatus();
    }
  }
  next_target_ = NextTarget(number);
  const ImageView view{.width = width,
                       .height = height,
                       .format = PixelFormat::kGray8,
                       .pixels = grey_};
  return Deliver(view, number);
}

std::optional<std::int64_t> Decoder::FrameNumberOf(
    std::int64_t timestamp) const {
  if (timestamp == AV_NOPTS_VALUE || origin_ == AV_NOPTS_VALUE) {
    return std::nullopt;
  }
  std::int64_t offset = 0;
  if (__builtin_sub_overflow(timestamp, origin_, &offset)) return std::nullopt;
  const double number = std::round(static_cast<double>(offset) *
                                   av_q2d(stream_->time_base) * fps_);
  if (!(std::fabs(number) < 1e15)) return std::nullopt;
  return static_cast<std::int64_t>(number);
}

std::int64_t Decoder::NextTarget(std::int64_t number) const {
  if (number < 0) return 0;
  const std::int64_t next = number / step_ + 1;
  if (next > std::numeric_limits<std::int64_t>::max() / step_) {
    return std::numeric_limits<std::int64_t>::max();
  }
  return next * step_;
}

Status Decoder::AddToGroup(PacketPtr packet) {
  if (origin_ == AV_NOPTS_VALUE && packet->pts != AV_NOPTS_VALUE) {
    origin_ = packet->pts;
  }
  const std::optional<std::int64_t> number = FrameNumberOf(packet->pts);
  const bool key = (packet->flags & AV_PKT_FLAG_KEY) != 0;
  if (key && (!group_.empty() || group_streaming_)) {
    REMPART_RETURN_IF_ERROR(CloseGroup(number, /*at_end=*/false));
  }
  if (group_streaming_) {
    return SendQueued(*packet, !number || *number >= next_target_);
  }
  group_bytes_ += static_cast<std::size_t>(std::max(packet->size, 0));
  group_.push_back({std::move(packet), number});
  if (group_bytes_ > kMaxGroupBytes || group_.size() > kMaxGroupPackets) {
    // Too large to hold: decode what is held and the rest as it comes.
    group_streaming_ = true;
    for (QueuedPacket& queued : group_) {
      REMPART_RETURN_IF_ERROR(SendQueued(
          *queued.packet, !queued.number || *queued.number >= next_target_));
    }
    group_.clear();
    group_bytes_ = 0;
  }
  return OkStatus();
}

Status Decoder::CloseGroup(std::optional<std::int64_t> next_key_number,
                           bool at_end) {
  std::vector<QueuedPacket> group = std::move(group_);
  group_.clear();
  group_bytes_ = 0;
  if (group_streaming_) {
    group_streaming_ = false;
    planned_target_ = next_target_;
    return OkStatus();
  }
  if (group.empty()) return OkStatus();

  const bool numbered = std::all_of(
      group.begin(), group.end(),
      [](const QueuedPacket& queued) { return queued.number.has_value(); });
  if (!numbered || !trust_keyframes_) {
    // Nothing to plan with: decode it all, fully where it may be delivered.
    for (QueuedPacket& queued : group) {
      REMPART_RETURN_IF_ERROR(SendQueued(
          *queued.packet, !queued.number || *queued.number >= next_target_));
    }
    planned_target_ = next_target_;
    return OkStatus();
  }

  // The plan: in display order, the first frame at or past the target, then
  // the first at or past the one after, and so on.
  std::vector<std::int64_t> numbers;
  numbers.reserve(group.size());
  for (const QueuedPacket& queued : group) numbers.push_back(*queued.number);
  std::sort(numbers.begin(), numbers.end());
  std::int64_t target = std::max(planned_target_, next_target_);
  std::vector<std::int64_t> planned;
  for (const std::int64_t number : numbers) {
    if (number >= target) {
      planned.push_back(number);
      target = NextTarget(number);
    }
  }
  planned_target_ = target;
  // Leading pictures of the next group may need this group's references.
  const bool keep_references =
      !at_end && (!next_key_number || target < *next_key_number);

  std::size_t end = 0;
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (std::binary_search(planned.begin(), planned.end(), *group[i].number)) {
      end = i + 1;
    }
  }
  if (keep_references) end = group.size();
  for (std::size_t i = 0; i < end; ++i) {
    const bool delivered =
        std::binary_search(planned.begin(), planned.end(), *group[i].number);
    REMPART_RETURN_IF_ERROR(SendQueued(*group[i].packet, delivered));
  }
  if (end < group.size()) {
    report_.packets_skipped += static_cast<std::int64_t>(group.size() - end);
    REMPART_RETURN_IF_ERROR(DrainAndFlush());
  }
  return OkStatus();
}

Status Decoder::SendQueued(const AVPacket& packet, bool delivered) {
  if (deadline_.Expired()) return DeadlineError();
  if (restart_pending_) {
    restart_pending_ = false;
    restart_timestamp_ = packet.pts;
    check_restart_ = true;
  }
  codec_->skip_frame = delivered ? AVDISCARD_DEFAULT : AVDISCARD_NONREF;
  codec_->skip_loop_filter = delivered || !kSkipLoopFilterOnReferences
                                 ? AVDISCARD_DEFAULT
                                 : AVDISCARD_ALL;
  return Send(&packet);
}

// Across a gap in the packets: every frame the decoder holds comes out,
// then it starts afresh at the next keyframe.
Status Decoder::DrainAndFlush() {
  if (sent_since_flush_) {
    codec_->skip_frame = AVDISCARD_DEFAULT;
    codec_->skip_loop_filter = AVDISCARD_DEFAULT;
    REMPART_RETURN_IF_ERROR(Send(nullptr));
    avcodec_flush_buffers(codec_.get());
    sent_since_flush_ = false;
  }
  restart_pending_ = true;
  return OkStatus();
}

}  // namespace

Status DecodeVideoWithDeadline(const VideoSource& source,
                               const VideoDecodeOptions& options,
                               const VideoFrameCallback& on_frame,
                               VideoReport* report,
                               const VideoProgressCallback& progress,
                               const Deadline& deadline) {
  VideoReport local_report;
  VideoReport& out = report != nullptr ? *report : local_report;
  out = VideoReport{};
  if (!(options.seconds_per_frame >= 0) ||
      !std::isfinite(options.seconds_per_frame)) {
    return InvalidArgumentError("seconds_per_frame must be 0 or more");
  }
  if (options.downsample < 0 ||
      options.downsample > options.limits.max_dimension) {
    return InvalidArgumentError("downsample must be between 0 and " +
                                std::to_string(options.limits.max_dimension));
  }
  if (!on_frame) return InvalidArgumentError("no frame callback");
  SilenceFfmpegOnce();
  Decoder decoder(options, on_frame, progress, deadline, out);
  Status status = decoder.Run(source);
  if (!status.ok()) {
    // Decoding stopped early: the report says how far it got.
    out.reached_end = false;
    if (out.problem.empty()) out.problem = status.message();
    status = status.WithContext("video");
  }
  return status;
}

}  // namespace internal

VideoSource VideoSource::File(std::string path) {
  VideoSource source;
  source.path_ = std::move(path);
  return source;
}

VideoSource VideoSource::Memory(std::span<const std::uint8_t> bytes) {
  VideoSource source;
  source.bytes_ = bytes;
  return source;
}

Status DecodeVideo(const VideoSource& source, const VideoDecodeOptions& options,
                   const VideoFrameCallback& on_frame, VideoReport* report,
                   const VideoProgressCallback& progress) {
  return internal::DecodeVideoWithDeadline(
      source, options, on_frame, report, progress,
      Deadline::After(options.limits.max_decode_time));
}

bool LooksLikeVideo(std::span<const std::uint8_t> head) {
  const auto at = [&](std::size_t offset, std::string_view text) {
    if (head.size() < offset + text.size()) return false;
    return std::memcmp(head.data() + offset, text.data(), text.size()) == 0;
  };
  // ISO BMFF (MP4, MOV, 3GP), unless the brands say HEIF or AVIF image.
  if (at(4, "ftyp")) {
    const ImageFormat image = SniffImageFormat(head);
    return image != ImageFormat::kHeif && image != ImageFormat::kAvif;
  }
  // Old QuickTime files start with another top-level atom.
  for (const std::string_view atom : {"moov", "mdat", "wide", "free", "skip"}) {
    if (at(4, atom)) return true;
  }
  if (at(0, "\x1A\x45\xDF\xA3")) return true;       // Matroska, WebM (EBML)
  if (at(0, "RIFF") && at(8, "AVI ")) return true;  // AVI
  if (at(0, std::string_view("\x00\x00\x01\xBA", 4))) return true;  // MPEG-PS
  // MPEG-TS: a sync byte at the start of each of the first 188-byte packets.
  constexpr std::size_t kTsPacket = 188;
  return head.size() > 2 * kTsPacket && head[0] == 0x47 &&
         head[kTsPacket] == 0x47 && head[2 * kTsPacket] == 0x47;
}

}  // namespace rempart::media
