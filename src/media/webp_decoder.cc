// WebP through libwebp (still images) and libwebpdemux (first frame of an
// animation), decoded to RGB with libwebp's defaults (fancy upsampling), as
// ImageMagick decodes WebP for the reference. Alpha is ignored: MODE_RGB
// keeps the colour under transparent pixels.
//
// libwebp has no cancellation hook, so the compressed data is fed to its
// incremental decoder in slices and the deadline is polled between slices.
// A slice is small enough that one slice costs little; a tiny, highly
// compressed lossless file can still decode a whole image in one slice, but
// the format caps each side at 16383 pixels, which bounds that work.
//
// Animated files: the frame count is read from the RIFF chunk list and
// checked against max_frames before libwebpdemux indexes the frames (it keeps
// a record per frame). The first frame is drawn at its offset on a black
// canvas of the declared canvas size; outside the frame the canvas is fully
// transparent in WebP terms, which is black once alpha is ignored. The ANIM
// background colour is only a hint in the WebP specification and is not used.
#include <webp/decode.h>
#include <webp/demux.h>

#include <algorithm>
#include <memory>
#include <string>

#include "media/decoders.h"

namespace rempart::media::internal {
namespace {

// Compressed bytes handed to libwebp between two deadline checks.
constexpr std::size_t kSliceBytes = std::size_t{64} << 10;

Status StatusFromVp8(VP8StatusCode code, const char* what) {
  const std::string prefix = std::string(what) + ": ";
  switch (code) {
    case VP8_STATUS_OK:
      return OkStatus();
    case VP8_STATUS_NOT_ENOUGH_DATA:
    case VP8_STATUS_SUSPENDED:
      return InvalidArgumentError("truncated data (premature end of file)");
    case VP8_STATUS_OUT_OF_MEMORY:
      return ResourceExhaustedError(prefix + "out of memory");
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      return UnimplementedError(prefix + "unsupported feature");
    case VP8_STATUS_INVALID_PARAM:
      return InvalidArgumentError(prefix + "invalid parameter");
    case VP8_STATUS_BITSTREAM_ERROR:
      return InvalidArgumentError(prefix + "corrupt bitstream");
    case VP8_STATUS_USER_ABORT:
      break;
  }
  return InvalidArgumentError(prefix + "decoding failed");
}

struct IDecoderDeleter {
  void operator()(WebPIDecoder* decoder) const { WebPIDelete(decoder); }
};
struct DemuxerDeleter {
  void operator()(WebPDemuxer* demuxer) const { WebPDemuxDelete(demuxer); }
};

// Decodes one VP8/VP8L bitstream (a whole file or an animation frame) of
// width x height pixels into RGB rows starting at `out`, `stride` bytes
// apart; `out_size` bytes are writable from `out`.
Status DecodeBitstream(std::span<const std::uint8_t> bytes, std::uint8_t* out,
                       std::size_t out_size, int stride,
                       const DecodeLimits& limits, const Deadline& deadline) {
  std::unique_ptr<WebPIDecoder, IDecoderDeleter> decoder(
      WebPINewRGB(MODE_RGB, out, out_size, stride));
  if (decoder == nullptr) return ResourceExhaustedError("out of memory");
  VP8StatusCode status = VP8_STATUS_SUSPENDED;
  std::size_t fed = 0;
  while (status == VP8_STATUS_SUSPENDED && fed < bytes.size()) {
    if (deadline.Expired()) return DeadlineExceeded(limits);
    fed = std::min(bytes.size(), fed + kSliceBytes);
    // WebPIUpdate reads the first `fed` bytes in place, without copying.
    status = WebPIUpdate(decoder.get(), bytes.data(), fed);
  }
  if (deadline.Expired()) return DeadlineExceeded(limits);
  return StatusFromVp8(status, "bitstream");
}

std::uint32_t ReadLittleEndian32(const std::uint8_t* bytes) {
  return std::uint32_t{bytes[0]} | (std::uint32_t{bytes[1]} << 8) |
         (std::uint32_t{bytes[2]} << 16) | (std::uint32_t{bytes[3]} << 24);
}

// Number of ANMF (animation frame) chunks in the RIFF chunk list, counting
// no further than `stop_after` + 1. Parsing stops quietly at the first
// malformed chunk header; the demuxer reports it properly later.
std::int64_t CountAnimationFrames(std::span<const std::uint8_t> bytes,
                                  std::int64_t stop_after) {
  std::int64_t frames = 0;
  std::size_t offset = 12;  // "RIFF", size, "WEBP".
  while (offset + 8 <= bytes.size() && frames <= stop_after) {
    const std::uint64_t payload = ReadLittleEndian32(&bytes[offset + 4]);
    if (std::equal(&bytes[offset], &bytes[offset] + 4, "ANMF")) ++frames;
    offset += 8 + payload + (payload & 1);
  }
  return frames;
}

Result<DecodedImage> DecodeAnimation(std::span<const std::uint8_t> bytes,
                                     int canvas_width, int canvas_height,
                                     const DecodeLimits& limits,
                                     const Deadline& deadline) {
  REMPART_RETURN_IF_ERROR(
      CheckFrameCount(CountAnimationFrames(bytes, limits.max_frames), limits));
  const WebPData data = {bytes.data(), bytes.size()};
  std::unique_ptr<WebPDemuxer, DemuxerDeleter> demuxer(WebPDemux(&data));
  if (demuxer == nullptr) {
    return InvalidArgumentError("malformed or truncated animation");
  }
  WebPIterator frame;
  if (WebPDemuxGetFrame(demuxer.get(), 1, &frame) == 0) {
    return InvalidArgumentError("animation has no frame");
  }
  const int x = frame.x_offset;
  const int y = frame.y_offset;
  const int width = frame.width;
  const int height = frame.height;
  const bool complete = frame.complete != 0;
  const std::span<const std::uint8_t> fragment(frame.fragment.bytes,
                                               frame.fragment.size);
  WebPDemuxReleaseIterator(&frame);  // Only releases the iterator itself.
  if (!complete) {
    return InvalidArgumentError("truncated data (incomplete first frame)");
  }
  REMPART_RETURN_IF_ERROR(CheckDimensions(width, height, limits, "frame"));
  if (x < 0 || y < 0 || x + width > canvas_width ||
      y + height > canvas_height) {
    return InvalidArgumentError("first frame lies outside the canvas");
  }
  WebPBitstreamFeatures features;
  REMPART_RETURN_IF_ERROR(StatusFromVp8(
      WebPGetFeatures(fragment.data(), fragment.size(), &features), "frame"));
  if (features.width != width || features.height != height) {
    return InvalidArgumentError("frame bitstream size differs from its header");
  }

  DecodedImage decoded;
  decoded.source_width = canvas_width;
  decoded.source_height = canvas_height;
  decoded.image = Image(canvas_width, canvas_height, PixelFormat::kRgb8);
  const std::size_t stride = decoded.image.row_bytes();
  const std::size_t start =
      static_cast<std::size_t>(y) * stride + static_cast<std::size_t>(x) * 3;
  REMPART_RETURN_IF_ERROR(
      DecodeBitstream(fragment, decoded.image.mutable_pixels().data() + start,
                      decoded.image.pixels().size() - start,
                      static_cast<int>(stride), limits, deadline));
  return decoded;
}

}  // namespace

Result<DecodedImage> DecodeWebp(std::span<const std::uint8_t> bytes,
                                const DecodeOptions& options,
                                const Deadline& deadline) {
  const DecodeLimits& limits = options.limits;
  WebPBitstreamFeatures features;
  REMPART_RETURN_IF_ERROR(StatusFromVp8(
      WebPGetFeatures(bytes.data(), bytes.size(), &features), "header"));
  // For an animation these are the canvas size.
  REMPART_RETURN_IF_ERROR(
      CheckDimensions(features.width, features.height, limits));
  if (features.has_animation != 0) {
    return DecodeAnimation(bytes, features.width, features.height, limits,
                           deadline);
  }

  DecodedImage decoded;
  decoded.source_width = features.width;
  decoded.source_height = features.height;
  decoded.image = Image(features.width, features.height, PixelFormat::kRgb8);
  REMPART_RETURN_IF_ERROR(DecodeBitstream(
      bytes, decoded.image.mutable_pixels().data(),
      decoded.image.pixels().size(),
      static_cast<int>(decoded.image.row_bytes()), limits, deadline));
  return decoded;
}

}  // namespace rempart::media::internal
