// Decoding still images from bytes to pixels, under hard limits.
//
// Every byte handed to DecodeImage() is treated as hostile. The format is
// sniffed from the content (never from a file name); each codec library is
// called with its own safety options on, and on top of that Rempart enforces
// DecodeLimits *before* allocating pixels. Any malformed, truncated,
// unsupported or over-limit input returns an error Status with a message
// that says why; the library never crashes, prints, exits or hangs.
//
// Pixels are returned as the reference PDQ tool sees them (see
// docs/PDQ.md, "Decoding"): the stored pixel grid (EXIF orientation is
// ignored for JPEG), alpha ignored (colour under transparent pixels kept),
// 16-bit samples scaled to 8 bits, and images whose every pixel has R=G=B
// returned as kGray8.
//
// Thread-safe: calls share no mutable state and may run in parallel.
#ifndef REMPART_MEDIA_DECODE_H_
#define REMPART_MEDIA_DECODE_H_

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

#include "rempart/core/result.h"
#include "rempart/media/image.h"

namespace rempart::media {

enum class ImageFormat : std::uint8_t {
  kUnknown,
  kJpeg,
  kPng,
  kWebp,
  kGif,
  kBmp,
  kTiff,
  kHeif,  // HEIC and other HEIF brands.
  kAvif,
};

// "jpeg", "png", "webp", "gif", "bmp", "tiff", "heif", "avif" or "unknown".
std::string_view ImageFormatName(ImageFormat format);

// Identifies the container from its first bytes. kUnknown if unrecognised.
ImageFormat SniffImageFormat(std::span<const std::uint8_t> bytes);

// Hard limits. The defaults accept any real photo (a 200-megapixel phone
// sensor is below max_pixels) and refuse what can only be an attack.
struct DecodeLimits {
  // Largest input accepted, in bytes.
  std::uint64_t max_file_bytes = 256ull << 20;
  // Largest width * height, checked from the header before any allocation.
  std::uint64_t max_pixels = 256'000'000;
  // Largest width or height on its own.
  int max_dimension = 65'535;
  // Most frames, pages or images a container may declare (GIF frames read,
  // TIFF directories, HEIF top-level images). Only the first or primary one
  // is decoded.
  int max_frames = 10'000;
  // Wall-clock budget for one decode; zero means none.
  std::chrono::milliseconds max_decode_time{10'000};
};

struct DecodeOptions {
  DecodeLimits limits;
  // Fast mode for JPEG: when positive, the decoder may use libjpeg-turbo's
  // DCT scaling to return a smaller image whose shorter side is still at
  // least this many pixels. Zero decodes at full size (exact mode).
  int min_side_for_scaling = 0;
  // Fast mode for JPEG: the fast integer IDCT, plain chroma upsampling and,
  // for colour (YCbCr) files, the luma channel only, returned as kGray8
  // (JPEG's Y uses PDQ's own luma weights). Skips chroma IDCT, upsampling
  // and colour conversion; pixels are close to, not equal to, exact mode's.
  bool fast_jpeg = false;
};

struct DecodedImage {
  Image image;
  ImageFormat format = ImageFormat::kUnknown;
  // Size of the stored pixel grid before any fast-mode scaling.
  int source_width = 0;
  int source_height = 0;
};

// Decodes the first frame (or the primary image) of `bytes`.
//
// Errors: InvalidArgument for malformed, truncated or unrecognised data;
// Unimplemented for a recognised but unsupported variant; ResourceExhausted
// when a size limit is hit; DeadlineExceeded when max_decode_time runs out.
Result<DecodedImage> DecodeImage(std::span<const std::uint8_t> bytes,
                                 const DecodeOptions& options = {});

}  // namespace rempart::media

#endif  // REMPART_MEDIA_DECODE_H_
