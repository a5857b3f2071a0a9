// Private to the media layer: the per-format decoders behind DecodeImage()
// and the checks they share.
//
// Each decoder wraps exactly one codec library and is called only with bytes
// that SniffImageFormat() attributed to its format. It returns the stored
// pixel grid of the first frame (or primary image) as kGray8 or kRgb8, with
// source_width/source_height set; DecodeImage() fills in `format`, turns
// grey-content RGB into kGray8 and prefixes every error message with the
// format name, so decoder messages do not repeat it.
//
// Contract shared by every decoder: no exception, longjmp or library message
// escapes; dimensions are checked with CheckDimensions() before any pixel
// buffer is allocated; the deadline is polled between rows or chunks.
#ifndef REMPART_MEDIA_DECODERS_H_
#define REMPART_MEDIA_DECODERS_H_

#include <cstdint>
#include <span>

#include "rempart/core/deadline.h"
#include "rempart/core/result.h"
#include "rempart/core/status.h"
#include "rempart/media/decode.h"

namespace rempart::media::internal {

// DecodeImage() with an explicit deadline instead of one derived from
// options.limits.max_decode_time. Tests pass an already expired deadline to
// exercise the time limit deterministically.
Result<DecodedImage> DecodeImageWithDeadline(
    std::span<const std::uint8_t> bytes, const DecodeOptions& options,
    const Deadline& deadline);

// InvalidArgument when a side is not positive; ResourceExhausted when a side
// exceeds limits.max_dimension or width * height exceeds limits.max_pixels.
// `what` names the checked thing in the message ("image", "canvas", ...).
Status CheckDimensions(std::int64_t width, std::int64_t height,
                       const DecodeLimits& limits, const char* what = "image");

// ResourceExhausted when a container declares more frames, pages or images
// than limits.max_frames.
Status CheckFrameCount(std::int64_t count, const DecodeLimits& limits);

// The DeadlineExceeded status every decoder returns when its deadline
// expires.
Status DeadlineExceeded(const DecodeLimits& limits);

// One RGB channel from a CMYK pixel, as ImageMagick 6 (Q16, the build the
// reference ran) converts it: with ink C and black K as 16-bit quanta,
// R = 65535 - (C (65535 - K) / 65535 + K) rounded to a quantum, then scaled
// to 8 bits for the PNM it hands the reference. In terms of the 8-bit
// complements c = 255 - ink and k = 255 - black, that is
// R16 = round(c * k * 257 / 255) and R8 = ImageMagick's round(R16 / 257).
// Checked against ImageMagick's output (tests: source-cmyk.jpg and the
// conformance image misc-images/modes/CMYK.jpg).
inline std::uint8_t CmykToRgbChannel(unsigned inverted_ink,
                                     unsigned inverted_black) {
  const unsigned product = inverted_ink * inverted_black * 257;  // < 2^24.
  const unsigned quantum = (2 * product + 255) / 510;  // round(product / 255)
  return static_cast<std::uint8_t>(((quantum + 128) - ((quantum + 128) >> 8)) >>
                                   8);
}

Result<DecodedImage> DecodeJpeg(std::span<const std::uint8_t> bytes,
                                const DecodeOptions& options,
                                const Deadline& deadline);
Result<DecodedImage> DecodePng(std::span<const std::uint8_t> bytes,
                               const DecodeOptions& options,
                               const Deadline& deadline);
Result<DecodedImage> DecodeWebp(std::span<const std::uint8_t> bytes,
                                const DecodeOptions& options,
                                const Deadline& deadline);
Result<DecodedImage> DecodeGif(std::span<const std::uint8_t> bytes,
                               const DecodeOptions& options,
                               const Deadline& deadline);
Result<DecodedImage> DecodeBmp(std::span<const std::uint8_t> bytes,
                               const DecodeOptions& options,
                               const Deadline& deadline);
Result<DecodedImage> DecodeTiff(std::span<const std::uint8_t> bytes,
                                const DecodeOptions& options,
                                const Deadline& deadline);
// InvalidArgument when the derived-image references ("dimg") of a HEIF/AVIF
// file form a cycle or nest too deep; ResourceExhausted past max_frames
// references. Called before libheif sees the bytes (heif_item_graph.cc).
Status CheckHeifItemReferences(std::span<const std::uint8_t> bytes,
                               const DecodeLimits& limits);

// HEIF and AVIF share libheif.
Result<DecodedImage> DecodeHeif(std::span<const std::uint8_t> bytes,
                                const DecodeOptions& options,
                                const Deadline& deadline);

}  // namespace rempart::media::internal

#endif  // REMPART_MEDIA_DECODERS_H_
