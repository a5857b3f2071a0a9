// Format sniffing, dispatch to the per-format decoders and the shared
// post-processing (docs/PDQ.md, "Decoding"; spec §2).
//
// The format is decided from the content alone. Limits that need no parsing
// (input size) are enforced here; limits that need a header (dimensions,
// frame counts) are enforced by each decoder through the helpers below, before
// it allocates pixels. After a successful decode, an RGB image whose every
// pixel has R=G=B is returned as kGray8: the reference sees such images as a
// one-channel PGM from ImageMagick and hashes them on the grey luma path, which
// rounds differently from the RGB path.
#include "rempart/media/decode.h"

#include <exception>
#include <new>
#include <string>
#include <utility>

#include "media/decoders.h"

namespace rempart::media {
namespace {

bool StartsWith(std::span<const std::uint8_t> bytes, std::string_view prefix,
                std::size_t offset = 0) {
  if (bytes.size() < offset + prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (bytes[offset + i] != static_cast<std::uint8_t>(prefix[i])) return false;
  }
  return true;
}

std::uint32_t ReadBigEndian32(std::span<const std::uint8_t> bytes,
                              std::size_t offset) {
  return (std::uint32_t{bytes[offset]} << 24) |
         (std::uint32_t{bytes[offset + 1]} << 16) |
         (std::uint32_t{bytes[offset + 2]} << 8) | bytes[offset + 3];
}

// What an ISO-BMFF brand says about the still-image format.
ImageFormat BrandFormat(std::span<const std::uint8_t> bytes,
                        std::size_t offset) {
  for (const char* brand : {"avif", "avis"}) {
    if (StartsWith(bytes, brand, offset)) return ImageFormat::kAvif;
  }
  for (const char* brand :
       {"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"}) {
    if (StartsWith(bytes, brand, offset)) return ImageFormat::kHeif;
  }
  return ImageFormat::kUnknown;
}

// HEIF and AVIF files open with an `ftyp` box: size (4 bytes), "ftyp", the
// major brand, a minor version and a list of compatible brands. A specific
// major brand decides; the generic MIAF brands (mif1, msf1) or an unknown
// major brand defer to the compatible brands, where AVIF wins over plain
// HEIF because AVIF files also list mif1.
ImageFormat SniffIsoBmff(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 12 || !StartsWith(bytes, "ftyp", 4)) {
    return ImageFormat::kUnknown;
  }
  const bool generic_major =
      StartsWith(bytes, "mif1", 8) || StartsWith(bytes, "msf1", 8);
  const ImageFormat major = BrandFormat(bytes, 8);
  if (major != ImageFormat::kUnknown && !generic_major) return major;

  std::size_t box_end = ReadBigEndian32(bytes, 0);
  if (box_end == 0 || box_end > bytes.size()) box_end = bytes.size();
  ImageFormat compatible = ImageFormat::kUnknown;
  for (std::size_t offset = 16; offset + 4 <= box_end; offset += 4) {
    const ImageFormat brand = BrandFormat(bytes, offset);
    if (brand == ImageFormat::kAvif) return brand;
    if (brand == ImageFormat::kHeif) compatible = brand;
  }
  return compatible != ImageFormat::kUnknown ? compatible : major;
}

}  // namespace

std::string_view ImageFormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg:
      return "jpeg";
    case ImageFormat::kPng:
      return "png";
    case ImageFormat::kWebp:
      return "webp";
    case ImageFormat::kGif:
      return "gif";
    case ImageFormat::kBmp:
      return "bmp";
    case ImageFormat::kTiff:
      return "tiff";
    case ImageFormat::kHeif:
      return "heif";
    case ImageFormat::kAvif:
      return "avif";
    case ImageFormat::kUnknown:
      break;
  }
  return "unknown";
}

ImageFormat SniffImageFormat(std::span<const std::uint8_t> bytes) {
  if (StartsWith(bytes, "\xFF\xD8\xFF")) return ImageFormat::kJpeg;
  if (StartsWith(bytes, "\x89PNG\r\n\x1A\n")) return ImageFormat::kPng;
  if (StartsWith(bytes, "RIFF") && StartsWith(bytes, "WEBP", 8)) {
    return ImageFormat::kWebp;
  }
  if (StartsWith(bytes, "GIF87a") || StartsWith(bytes, "GIF89a")) {
    return ImageFormat::kGif;
  }
  if (StartsWith(bytes, "BM")) return ImageFormat::kBmp;
  // Classic TIFF (42) and BigTIFF (43), little- and big-endian.
  if (StartsWith(bytes, std::string_view("II*\0", 4)) ||
      StartsWith(bytes, std::string_view("MM\0*", 4)) ||
      StartsWith(bytes, std::string_view("II+\0", 4)) ||
      StartsWith(bytes, std::string_view("MM\0+", 4))) {
    return ImageFormat::kTiff;
  }
  return SniffIsoBmff(bytes);
}

Result<DecodedImage> DecodeImage(std::span<const std::uint8_t> bytes,
                                 const DecodeOptions& options) {
  return internal::DecodeImageWithDeadline(
      bytes, options, Deadline::After(options.limits.max_decode_time));
}

namespace internal {
namespace {

Result<DecodedImage> Dispatch(ImageFormat format,
                              std::span<const std::uint8_t> bytes,
                              const DecodeOptions& options,
                              const Deadline& deadline) {
  switch (format) {
    case ImageFormat::kJpeg:
      return DecodeJpeg(bytes, options, deadline);
    case ImageFormat::kPng:
      return DecodePng(bytes, options, deadline);
    case ImageFormat::kWebp:
      return DecodeWebp(bytes, options, deadline);
    case ImageFormat::kGif:
      return DecodeGif(bytes, options, deadline);
    case ImageFormat::kBmp:
      return DecodeBmp(bytes, options, deadline);
    case ImageFormat::kTiff:
      return DecodeTiff(bytes, options, deadline);
    case ImageFormat::kHeif:
    case ImageFormat::kAvif:
      return DecodeHeif(bytes, options, deadline);
    case ImageFormat::kUnknown:
      break;
  }
  return InvalidArgumentError("not a supported image format");
}

}  // namespace

Status CheckDimensions(std::int64_t width, std::int64_t height,
                       const DecodeLimits& limits, const char* what) {
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  if (width <= 0 || height <= 0) {
    return InvalidArgumentError(std::string(what) + " has an empty size (" +
                                size + ")");
  }
  if (width > limits.max_dimension || height > limits.max_dimension) {
    return ResourceExhaustedError(
        std::string(what) + " size " + size + " exceeds the limit of " +
        std::to_string(limits.max_dimension) + " pixels per side");
  }
  // Both factors are at most INT_MAX here, so the product fits.
  const auto pixels =
      static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height);
  if (pixels > limits.max_pixels) {
    return ResourceExhaustedError(
        std::string(what) + " size " + size + " is " + std::to_string(pixels) +
        " pixels, over the limit of " + std::to_string(limits.max_pixels));
  }
  return OkStatus();
}

Status CheckFrameCount(std::int64_t count, const DecodeLimits& limits) {
  if (count > limits.max_frames) {
    return ResourceExhaustedError("file declares " + std::to_string(count) +
                                  " frames or images, over the limit of " +
                                  std::to_string(limits.max_frames));
  }
  return OkStatus();
}

Status DeadlineExceeded(const DecodeLimits& limits) {
  return DeadlineExceededError("decoding exceeded the time limit of " +
                               std::to_string(limits.max_decode_time.count()) +
                               " ms");
}

Result<DecodedImage> DecodeImageWithDeadline(
    std::span<const std::uint8_t> bytes, const DecodeOptions& options,
    const Deadline& deadline) {
  if (bytes.size() > options.limits.max_file_bytes) {
    return ResourceExhaustedError(
        "input is " + std::to_string(bytes.size()) +
        " bytes, over the limit of " +
        std::to_string(options.limits.max_file_bytes) + " bytes");
  }
  if (bytes.empty()) return InvalidArgumentError("input is empty");
  const ImageFormat format = SniffImageFormat(bytes);
  if (format == ImageFormat::kUnknown) {
    return InvalidArgumentError(
        "not a supported image format (unrecognised first bytes)");
  }

  // Decoders catch what their libraries can throw; this barrier catches
  // allocation failures of our own buffers and anything unforeseen.
  Result<DecodedImage> decoded = InternalError("decoder did not run");
  try {
    decoded = Dispatch(format, bytes, options, deadline);
    if (decoded) {
      DecodedImage& result = *decoded;
      if (!result.image.view().IsValid()) {
        return InternalError(std::string(ImageFormatName(format)) +
                             ": decoder returned an invalid image");
      }
      result.format = format;
      if (result.image.format() == PixelFormat::kRgb8 &&
          IsGrayContent(result.image.view())) {
        result.image = ToGray(result.image.view());
      }
    }
  } catch (const std::bad_alloc&) {
    decoded = ResourceExhaustedError("out of memory");
  } catch (const std::exception& error) {
    decoded =
        InternalError(std::string("unexpected exception: ") + error.what());
  } catch (...) {
    decoded = InternalError("unexpected exception");
  }
  if (!decoded) return decoded.error().WithContext(ImageFormatName(format));
  return decoded;
}

}  // namespace internal
}  // namespace rempart::media
